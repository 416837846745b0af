// kafkajs_extras: kafkajs 2.2.4 beyond the other kafkajs tests: an
// idempotent producer, a transactional producer (one transaction committed,
// one aborted; a read_committed consumer sees only the committed one), the
// admin calls createPartitions, alterConfigs then describeConfigs (the new
// value at once), fetchOffsets and deleteGroups, and an eager consumer
// group through a rebalance (a second member joins; every message is
// consumed, none lost). Exit 1 on the first failed check.
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(path.join(path.resolve(process.env.NODE_DEPS_DIR), 'package.json'))
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const { Kafka, logLevel, ConfigResourceTypes, PartitionAssigners } = require('kafkajs')

const TOPIC = 'kafkajs-extras'
const GROUP = 'kafkajs-extras-group'
const fail = (msg) => { console.log('FAIL ' + msg); process.exit(1) }
const ok = (msg) => console.log('ok   ' + msg)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const kafka = new Kafka({
  clientId: 'kafkajs-extras', brokers: process.env.BOOTSTRAP.split(','), logLevel: logLevel.NOTHING,
  retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 }
})
const admin = kafka.admin()
await admin.connect()

// ---- admin ----
await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true })
await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 4 }] })
let parts = 0
for (let i = 0; i < 50 && parts !== 4; i++) {
  parts = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0].partitions.length
  if (parts !== 4) await sleep(200)
}
if (parts !== 4) fail(`createPartitions: ${parts} partitions, not 4`)
ok('createPartitions: 2 -> 4 partitions')
await admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] })
const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['retention.ms'] }], includeSynonyms: false })
const value = described.resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue
if (value !== '7200000') fail(`describeConfigs right after alterConfigs: ${value}`)
ok('alterConfigs then describeConfigs: the new value at once')

// ---- idempotent and transactional producers ----
const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
await idem.connect()
await idem.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 40 }, (_, i) => ({ key: `i-k${i % 7}`, value: `i-v${i}` })) })
await idem.disconnect()
ok('idempotent producer: 40 keyed messages')
const tx = kafka.producer({ transactionalId: 'kafkajs-extras-tx', idempotent: true, maxInFlightRequests: 1 })
await tx.connect()
let t = await tx.transaction()
await t.send({ topic: TOPIC, messages: Array.from({ length: 10 }, (_, i) => ({ key: `t-k${i % 7}`, value: `t-v${i}` })) })
await t.commit()
t = await tx.transaction()
await t.send({ topic: TOPIC, messages: Array.from({ length: 10 }, (_, i) => ({ key: 'aborted', value: `x${i}` })) })
await t.abort()
await tx.disconnect()
ok('transactional producer: one transaction committed, one aborted')

// ---- eager group through a rebalance, read_committed ----
const want = 50
const seen = new Map()
function member (name) {
  const c = kafka.consumer({ groupId: GROUP, readUncommitted: false, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 200, partitionAssigners: [PartitionAssigners.roundRobin] })
  return { c, name }
}
const m1 = member('one')
await m1.c.connect()
await m1.c.subscribe({ topic: TOPIC, fromBeginning: true })
let rebalances = 0
m1.c.on(m1.c.events.GROUP_JOIN, () => { rebalances++ })
const run = (m) => m.c.run({
  eachMessage: async ({ message }) => {
    const kv = `${message.key}=${message.value}`
    if (String(message.key) === 'aborted') fail('read_committed consumer got aborted data')
    seen.set(kv, (seen.get(kv) || 0) + 1)
  }
})
await run(m1)
for (let i = 0; i < 100 && seen.size < 20; i++) await sleep(100)
const m2 = member('two')
await m2.c.connect()
await m2.c.subscribe({ topic: TOPIC, fromBeginning: true })
await run(m2)
const deadline = Date.now() + 60000
while (Date.now() < deadline && (seen.size < want || rebalances < 2)) await sleep(200)
if (seen.size !== want) fail(`group consumed ${seen.size} distinct of ${want}`)
if (rebalances < 2) fail(`member one saw ${rebalances} joins, no rebalance`)
ok(`eager group through a rebalance (${rebalances} joins of member one): all ${want} committed messages, no aborted ones`)
await m1.c.disconnect()
await m2.c.disconnect()

// ---- fetchOffsets and deleteGroups ----
const offs = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
const committed = offs[0].partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0)
// 40 + 10 data records, a commit marker after each transaction (2 offsets)
if (committed < want) fail(`fetchOffsets: committed offsets sum to ${committed}`)
ok(`fetchOffsets: the group's committed offsets sum to ${committed}`)
await admin.deleteGroups([GROUP])
const groups = (await admin.listGroups()).groups.map((g) => g.groupId)
if (groups.includes(GROUP)) fail('deleteGroups: the group is still listed')
ok('deleteGroups: the group is gone')
await admin.disconnect()
process.exit(0)
