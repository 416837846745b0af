// platformatic_e2e: @platformatic/kafka against Gregor without consumer groups.
// Creates a topic (Admin), produces COUNT keyed messages with acks=all to
// explicit partitions, checks listOffsets, then reads every partition back with
// Consumer.fetch (a raw Fetch to the leader; no group is joined) and checks
// each record's offset, key and value.  Exit 1 on any mismatch.
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const deps = process.env.NODE_DEPS_DIR
const bootstrap = process.env.BOOTSTRAP
if (!deps || !bootstrap) {
  console.error('need NODE_DEPS_DIR (npm prefix with @platformatic/kafka) and BOOTSTRAP')
  process.exit(2)
}
const pkgEntry = path.join(path.resolve(deps), 'node_modules/@platformatic/kafka/dist/index.js')
const { Admin, Producer, Consumer, ProduceAcks, stringSerializers } = await import(pathToFileURL(pkgEntry).href)

const COUNT = Number(process.env.COUNT || 1000)
let PARTITIONS = Number(process.env.PARTITIONS || 3)
const REPLICATION = Number(process.env.REPLICATION || 3)
const TOPIC = process.env.TOPIC || `platformatic-e2e-${Date.now()}`
const DEADLINE = Date.now() + Number(process.env.TIMEOUT_S || 120) * 1000
const BATCH = 100

const failures = []
const fail = (msg) => { if (failures.length < 20) console.error('FAIL: ' + msg); failures.push(msg) }
const keyOf = (i) => `key-${i}`
const valueOf = (i) => `value-${i}-` + 'y'.repeat(i % 50)
const common = { clientId: 'gregor-platformatic-e2e', bootstrapBrokers: bootstrap.split(','), timeout: 30000, retries: 5, retryDelay: 500 }

async function createTopic (admin, producer) {
  if (process.env.NO_CREATE) {
    const md = await producer.metadata({ topics: [TOPIC], autocreateTopics: true })
    PARTITIONS = md.topics.get(TOPIC).partitionsCount
    console.log(`topic ${TOPIC}: auto-created with ${PARTITIONS} partitions`)
    return
  }
  await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: REPLICATION })
  console.log(`createTopics ${TOPIC}: created (partitions=${PARTITIONS} replicas=${REPLICATION})`)
}

async function produceAll (producer) {
  const expected = new Array(COUNT)
  const t0 = Date.now()
  for (let start = 0; start < COUNT; start += BATCH) {
    const idx = []
    for (let i = start; i < Math.min(COUNT, start + BATCH); i++) idx.push(i)
    const res = await producer.send({
      acks: ProduceAcks.ALL,
      messages: idx.map(i => ({ topic: TOPIC, key: keyOf(i), value: valueOf(i), partition: i % PARTITIONS }))
    })
    // One batch per partition per send: offsets[] holds each partition's base offset.
    const base = new Map()
    for (const o of res.offsets || []) base.set(o.partition, BigInt(o.offset))
    const n = new Map()
    for (const i of idx) {
      const p = i % PARTITIONS
      if (!base.has(p)) { fail(`no produce offset for partition ${p}`); continue }
      const k = n.get(p) || 0n
      n.set(p, k + 1n)
      expected[i] = { partition: p, offset: base.get(p) + k }
    }
  }
  console.log(`produced ${COUNT} in ${Date.now() - t0} ms (acks=all)`)
  return expected
}

async function fetchAll (consumer, expected) {
  const md = await consumer.metadata({ topics: [TOPIC] })
  const latest = await consumer.listOffsets({ topics: [TOPIC] })
  const high = latest.get(TOPIC)
  let total = 0n
  for (const h of high) total += BigInt(h)
  console.log(`listOffsets latest: ${high.map((h, p) => `p${p}=${h}`).join(' ')}`)
  if (total !== BigInt(COUNT)) fail(`listOffsets: latest offsets sum to ${total}, expected ${COUNT}`)

  const byOffset = new Map()
  expected.forEach((e, i) => { if (e) byOffset.set(`${e.partition}:${e.offset}`, i) })
  const seen = new Uint8Array(COUNT)
  let got = 0
  const parts = md.topics.get(TOPIC).partitions
  for (let p = 0; p < parts.length; p++) {
    let next = 0n
    const end = BigInt(high[p] ?? 0)
    while (next < end && Date.now() < DEADLINE) {
      const res = await consumer.fetch({
        node: parts[p].leader,
        maxWaitTime: 200,
        topics: [{
          // Fetch v13+ name topics by id (Metadata v10+ gives it); below v13
          // @platformatic/kafka sends this field as the topic name
          topicId: md.topics.get(TOPIC).id || TOPIC,
          partitions: [{ partition: p, fetchOffset: next, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }]
        }]
      })
      const part = res.responses[0].partitions[0]
      if (part.errorCode !== 0) { fail(`fetch p${p}@${next}: error ${part.errorCode}`); break }
      let progressed = false
      for (const batch of part.records || []) {
        for (const r of batch.records) {
          const off = batch.firstOffset + BigInt(r.offsetDelta)
          if (off < next) continue
          next = off + 1n
          progressed = true
          const i = byOffset.get(`${p}:${off}`)
          if (i === undefined) { fail(`p${p}@${off}: no message was acknowledged there`); continue }
          if (seen[i]++) { fail(`message ${i} read twice`); continue }
          if (String(r.key) !== keyOf(i) || String(r.value) !== valueOf(i)) { fail(`p${p}@${off}: content differs for message ${i}`); continue }
          got++
        }
      }
      if (!progressed) await new Promise(resolve => setTimeout(resolve, 50))
    }
  }
  return got
}

async function main () {
  const admin = new Admin(common)
  const producer = new Producer({ ...common, serializers: stringSerializers, autocreateTopics: !!process.env.NO_CREATE })
  // groupId is required by the constructor; no group API is called here.
  const consumer = new Consumer({ ...common, groupId: 'gregor-unused-group' })
  try {
    await createTopic(admin, producer)
    const expected = await produceAll(producer)
    const verified = await fetchAll(consumer, expected)
    console.log(`produced=${COUNT} verified=${verified}`)
    if (verified !== COUNT) fail(`verified ${verified} of ${COUNT}`)
  } finally {
    await consumer.close().catch(() => {})
    await producer.close().catch(() => {})
    await admin.close().catch(() => {})
  }
}

const watchdog = setTimeout(() => { console.error('FAIL: overall timeout'); process.exit(1) }, DEADLINE - Date.now() + 5000)
main().then(() => {
  clearTimeout(watchdog)
  console.log(failures.length ? `FAIL: ${failures.length} problem(s)` : 'PASS')
  process.exit(failures.length ? 1 : 0)
}, (err) => {
  console.error('FAIL:', err && err.stack ? err.stack : err, err && err.errors ? JSON.stringify(err.errors.map(e => e.message)) : '')
  process.exit(1)
})
