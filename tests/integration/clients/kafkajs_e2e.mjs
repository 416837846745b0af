// kafkajs_e2e: kafkajs 2.2.4 against Gregor without consumer groups.
// Creates a topic (admin), produces COUNT keyed messages with acks=all to
// explicit partitions, checks admin.fetchTopicOffsets, then reads every
// partition back with kafkajs' own broker-level Fetch (kafkajs' Consumer needs
// groups) and checks each message's offset, key and value.  Exit 1 on mismatch.
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

const COUNT = Number(process.env.COUNT || 1000)
let PARTITIONS = Number(process.env.PARTITIONS || 3)
const REPLICATION = Number(process.env.REPLICATION || 3)
const TOPIC = process.env.TOPIC || `kafkajs-e2e-${Date.now()}`
const DEADLINE = Date.now() + Number(process.env.TIMEOUT_S || 120) * 1000
const BATCH = 100

const failures = []
const fail = (msg) => { if (failures.length < 20) console.error('FAIL: ' + msg); failures.push(msg) }
const keyOf = (i) => `key-${i}`
const valueOf = (i) => `value-${i}-` + 'x'.repeat(i % 50)

const kafka = new Kafka({
  clientId: 'gregor-kafkajs-e2e',
  brokers: bootstrap.split(','),
  ...kafkajsSecurity(),
  logLevel: logLevel.WARN,
  connectionTimeout: 5000,
  requestTimeout: 30000,
  retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 }
})

async function createTopic (admin) {
  if (process.env.NO_CREATE) {
    // Auto-creation through Metadata; the broker picks the partition count.
    const md = await admin.fetchTopicMetadata({ topics: [TOPIC] })
    PARTITIONS = md.topics[0].partitions.length
    console.log(`topic ${TOPIC}: auto-created with ${PARTITIONS} partitions`)
    return
  }
  const created = await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: REPLICATION }],
    waitForLeaders: true,
    timeout: 30000
  })
  console.log(`createTopics ${TOPIC}: ${created ? 'created' : 'already existed'}`)
}

// Returns expected[i] = { partition, offset } from the produce responses.
async function produceAll (producer) {
  const expected = new Array(COUNT)
  const t0 = Date.now()
  for (let start = 0; start < COUNT; start += BATCH) {
    const idx = []
    for (let i = start; i < Math.min(COUNT, start + BATCH); i++) idx.push(i)
    const res = await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: idx.map(i => ({ key: keyOf(i), value: valueOf(i), partition: i % PARTITIONS }))
    })
    // Within one send, each partition's messages are one batch in send order.
    const base = new Map()
    for (const r of res) {
      if (r.errorCode !== 0) fail(`produce partition ${r.partition}: error ${r.errorCode}`)
      base.set(r.partition, BigInt(r.baseOffset))
    }
    const seenInBatch = new Map()
    for (const i of idx) {
      const p = i % PARTITIONS
      if (!base.has(p)) { fail(`no produce result for partition ${p}`); continue }
      const n = seenInBatch.get(p) || 0n
      seenInBatch.set(p, n + 1n)
      expected[i] = { partition: p, offset: base.get(p) + n }
    }
  }
  console.log(`produced ${COUNT} in ${Date.now() - t0} ms (acks=all)`)
  return expected
}

async function checkTopicOffsets (admin) {
  const offs = await admin.fetchTopicOffsets(TOPIC)
  let total = 0n
  const high = new Map()
  for (const o of offs) {
    total += BigInt(o.high) - BigInt(o.low)
    high.set(o.partition, BigInt(o.high))
  }
  if (offs.length !== PARTITIONS) fail(`fetchTopicOffsets: ${offs.length} partitions, expected ${PARTITIONS}`)
  if (total !== BigInt(COUNT)) fail(`fetchTopicOffsets: high-low sums to ${total}, expected ${COUNT}`)
  console.log(`fetchTopicOffsets: ${offs.map(o => `p${o.partition}=[${o.low},${o.high})`).join(' ')}`)
  return high
}

// kafkajs exposes no group-less consumer; its Cluster/Broker objects do speak Fetch.
function makeCluster () {
  const sym = Object.getOwnPropertySymbols(kafka)
    .find(s => s.description === 'private:Kafka:createCluster')
  if (!sym) throw new Error('kafkajs internals changed: no createCluster symbol')
  return kafka[sym]({ allowAutoTopicCreation: false })
}

async function fetchAll (high, expected) {
  const cluster = makeCluster()
  await cluster.connect()
  await cluster.addTargetTopic(TOPIC)
  await cluster.refreshMetadata()
  const byOffset = new Map() // `${p}:${offset}` -> i
  expected.forEach((e, i) => { if (e) byOffset.set(`${e.partition}:${e.offset}`, i) })
  const seen = new Uint8Array(COUNT)
  let got = 0
  for (const pm of cluster.findTopicPartitionMetadata(TOPIC)) {
    const p = pm.partitionId
    const broker = await cluster.findBroker({ nodeId: String(pm.leader) })
    let next = 0n
    const end = high.get(p) ?? 0n
    while (next < end && Date.now() < DEADLINE) {
      const res = await broker.fetch({
        replicaId: -1,
        isolationLevel: 1,
        maxWaitTime: 200,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [{ topic: TOPIC, partitions: [{ partition: p, fetchOffset: next.toString(), maxBytes: 1 << 20 }] }]
      })
      const part = res.responses[0].partitions[0]
      if (part.errorCode !== 0) { fail(`fetch p${p}@${next}: error ${part.errorCode}`); break }
      for (const m of part.messages) {
        const off = BigInt(m.offset)
        if (off < next) continue // a batch may start before the requested offset
        next = off + 1n
        const i = byOffset.get(`${p}:${off}`)
        if (i === undefined) { fail(`p${p}@${off}: no message was acknowledged there`); continue }
        if (seen[i]++) { fail(`message ${i} read twice`); continue }
        if (String(m.key) !== keyOf(i) || String(m.value) !== valueOf(i)) { fail(`p${p}@${off}: content differs for message ${i}`); continue }
        got++
      }
    }
  }
  await cluster.disconnect()
  return got
}

async function main () {
  const admin = kafka.admin()
  const producer = kafka.producer({ allowAutoTopicCreation: !!process.env.NO_CREATE })
  await admin.connect()
  try {
    await createTopic(admin)
    await producer.connect()
    const expected = await produceAll(producer)
    const high = await checkTopicOffsets(admin)
    const verified = await fetchAll(high, expected)
    console.log(`produced=${COUNT} verified=${verified}`)
    if (verified !== COUNT) fail(`verified ${verified} of ${COUNT}`)
  } finally {
    await producer.disconnect().catch(() => {})
    await admin.disconnect().catch(() => {})
  }
}

const watchdog = setTimeout(() => { console.error('FAIL: overall timeout'); process.exit(1) }, DEADLINE - Date.now() + 5000)
main().then(() => {
  clearTimeout(watchdog)
  console.log(failures.length ? `FAIL: ${failures.length} problem(s)` : 'PASS')
  process.exit(failures.length ? 1 : 0)
}, (err) => {
  console.error('FAIL:', err && err.stack ? err.stack : err)
  process.exit(1)
})
