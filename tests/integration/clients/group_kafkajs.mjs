// group_kafkajs: a kafkajs 2.2.4 consumer group end to end. Produces COUNT
// messages to a 3-partition topic, consumes them with two group members
// (kafkajs' own JoinGroup/SyncGroup/Heartbeat/OffsetCommit/OffsetFetch),
// checks every message arrives (duplicates allowed only across a rebalance,
// counted), then checks the committed offsets with admin.fetchOffsets and
// that describeGroups/listGroups show the group. Exit 1 on any failure.
import { createRequire } from 'node:module'
import path from 'node:path'
import { kafkajsSecurity } from './client_config.mjs'

const deps = process.env.NODE_DEPS_DIR
const bootstrap = process.env.BOOTSTRAP
if (!deps || !bootstrap) {
  console.error('need NODE_DEPS_DIR (npm prefix with kafkajs) and BOOTSTRAP')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(deps), 'package.json'))
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const { Kafka, logLevel } = require('kafkajs')

const COUNT = Number(process.env.COUNT || 5000)
const TOPIC = `kafkajs-group-${Date.now()}`
const GROUP = `kafkajs-group-${process.pid}`
const DEADLINE = Date.now() + Number(process.env.TIMEOUT_S || 180) * 1000
const failures = []
const fail = (msg) => { console.error('FAIL: ' + msg); failures.push(msg) }

const kafka = new Kafka({
  clientId: 'gregor-kafkajs-group',
  brokers: bootstrap.split(','),
  ...kafkajsSecurity(),
  logLevel: logLevel.WARN,
  retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 }
})

async function setup () {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true })
  const producer = kafka.producer()
  await producer.connect()
  for (let i = 0; i < COUNT; i += 500) {
    const messages = []
    for (let k = i; k < Math.min(COUNT, i + 500); k++) messages.push({ key: `k${k}`, value: `v${k}` })
    await producer.send({ topic: TOPIC, acks: -1, messages })
  }
  await producer.disconnect()
  return admin
}

function member (seen, name) {
  const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10000, heartbeatInterval: 1000 })
  return {
    consumer,
    async start () {
      await consumer.connect()
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) => {
          const v = message.value.toString()
          seen.set(v, (seen.get(v) || 0) + 1)
        }
      })
    }
  }
}

async function waitFor (what, cond) {
  while (!cond()) {
    if (Date.now() > DEADLINE) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function main () {
  const admin = await setup()
  const seen = new Map()
  const a = member(seen, 'a')
  const b = member(seen, 'b')
  await a.start()
  await b.start()
  await waitFor(`${COUNT} messages`, () => seen.size >= COUNT)
  const desc = await admin.describeGroups([GROUP])
  const g = desc.groups[0]
  console.log(`group ${g.groupId}: state ${g.state}, protocol ${g.protocol}, ${g.members.length} members`)
  if (g.state !== 'Stable' && g.state !== 'PreparingRebalance' && g.state !== 'CompletingRebalance') fail(`group state ${g.state}`)
  const listed = await admin.listGroups()
  if (!listed.groups.some((x) => x.groupId === GROUP)) fail('listGroups does not show the group')
  await a.consumer.disconnect() // commits and leaves
  await b.consumer.disconnect()
  const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
  let committed = 0
  for (const p of offsets[0].partitions) committed += Number(p.offset)
  if (committed !== COUNT) fail(`committed offsets sum to ${committed}, want ${COUNT}`)
  const after = await admin.describeGroups([GROUP])
  if (after.groups[0].state !== 'Empty') fail(`after both left the group is ${after.groups[0].state}, want Empty`)
  await admin.deleteGroups([GROUP])
  await admin.disconnect()
  let dups = 0
  for (let i = 0; i < COUNT; i++) {
    const n = seen.get(`v${i}`) || 0
    if (n === 0) fail(`message v${i} never consumed`)
    dups += Math.max(0, n - 1)
  }
  console.log(`consumed=${[...seen.values()].reduce((x, y) => x + y, 0)} duplicates=${dups} missing=${COUNT - seen.size} committed=${committed}`)
}

main().then(() => process.exit(failures.length ? 1 : 0), (e) => { console.error('FAIL:', e); process.exit(1) })
