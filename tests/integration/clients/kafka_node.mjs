// kafka_node: kafka-node 5.0.0 (npm), the oldest protocol still in use:
// Produce v0-2 and Fetch v0-2 with magic 0/1 message sets (converted by the
// broker both ways), Metadata v0-1, ListOffsets v0, OffsetCommit v2,
// OffsetFetch v1, JoinGroup/SyncGroup v0. A keyed producer writes to an
// auto-created topic; a ConsumerGroup reads everything back with its keys
// and commits; a new group member resumes after the commits; then the
// leader of partition 0 is stopped (controlled shutdown) and producing and
// consuming go on. Exit 1 on a failed check.
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const deps = process.env.NODE_DEPS_DIR
const bootstrap = process.env.BOOTSTRAP
const require = createRequire(path.join(path.resolve(deps), 'package.json'))
const kafka = require('kafka-node')
const TOPIC = 'kafka-node-topic'
const GROUP = 'kafka-node-group'

const fail = (msg) => { console.log('FAIL ' + msg); process.exit(1) }
const ok = (msg) => console.log('ok   ' + msg)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const cluster = (...args) => execFileSync(
  path.join(process.env.GREGOR_SOURCE_ROOT, 'deploy', 'cluster.sh'),
  [...args, '--dir', process.env.GREGOR_CLUSTER_DIR], { stdio: 'ignore', timeout: 60000 })
const keyed = (prefix, n) => Array.from({ length: n }, (_, i) => [`${prefix}-k${i % 7}`, `${prefix}-v${i}`])

function newClient () {
  return new kafka.KafkaClient({ kafkaHost: bootstrap, connectTimeout: 5000, requestTimeout: 30000 })
}

async function produce (prefix, n) {
  const client = newClient()
  const producer = new kafka.HighLevelProducer(client, { partitionerType: 3, requireAcks: -1 })
  await new Promise((resolve, reject) => { producer.on('ready', resolve); producer.on('error', reject) })
  const deadline = Date.now() + 60000
  for (const [key, value] of keyed(prefix, n)) {
    for (;;) {
      const err = await new Promise((resolve) =>
        producer.send([{ topic: TOPIC, key, messages: [new kafka.KeyedMessage(key, value)] }], resolve))
      if (!err) break
      if (Date.now() > deadline) fail(`produce ${prefix}: ${err}`)
      await sleep(300)
      await new Promise((resolve) => client.refreshMetadata([TOPIC], resolve))
    }
  }
  await new Promise((resolve) => producer.close(resolve))
  ok(`${n} keyed messages produced (${prefix})`)
}

async function consume (prefix, n) {
  const want = new Set(keyed(prefix, n).map(([k, v]) => `${k}=${v}`))
  const got = new Set()
  const cg = new kafka.ConsumerGroup({
    kafkaHost: bootstrap, groupId: GROUP, fromOffset: 'earliest', autoCommit: false,
    sessionTimeout: 10000, heartbeatInterval: 1000, fetchMaxWaitMs: 200, protocol: ['range']
  }, [TOPIC])
  cg.on('error', (e) => console.log(`     (consumer group error: ${e.message})`))
  const done = new Promise((resolve) => {
    cg.on('message', (m) => {
      const kv = `${m.key}=${m.value}`
      if (!want.has(kv)) fail(`unexpected ${kv} (offset ${m.offset}): committed offsets not used?`)
      got.add(kv)
      if (got.size === want.size) resolve()
    })
  })
  await Promise.race([done, sleep(60000)])
  if (got.size !== want.size) fail(`consumed ${got.size} of ${want.size} (${prefix})`)
  await new Promise((resolve, reject) => cg.commit(true, (e) => e ? reject(e) : resolve()))
  await new Promise((resolve) => cg.close(false, resolve))
  ok(`consumer group: all ${n} (${prefix}) with their keys, offsets committed`)
}

// Asks each bootstrap broker in turn: one of them may be the stopped one.
async function leaderOf (partition) {
  const deadline = Date.now() + 30000
  while (Date.now() < deadline) {
    for (const host of bootstrap.split(',')) {
      const client = new kafka.KafkaClient({ kafkaHost: host, connectTimeout: 3000, requestTimeout: 5000 })
      client.on('error', () => {})
      const res = await Promise.race([
        new Promise((resolve) => client.loadMetadataForTopics([TOPIC], (e, r) => resolve(e ? null : r))),
        sleep(5000).then(() => null)])
      client.close()
      const p = res && res[1] && res[1].metadata[TOPIC] && res[1].metadata[TOPIC][partition]
      if (p && p.leader >= 0) return p.leader
    }
    await sleep(300)
  }
  fail(`no leader for ${TOPIC}-${partition}`)
}

await produce('a', 60)
await consume('a', 60)
await produce('b', 20)
await consume('b', 20)
ok('a new group member resumed after the committed offsets')
const victim = await leaderOf(0)
cluster('stop', String(victim))
await produce('c', 30)
await consume('c', 30)
const now = await leaderOf(0)
if (now === victim) fail(`partition 0 still led by stopped broker ${victim}`)
ok(`after broker ${victim} stopped (partition 0 now on ${now}): produced and consumed 30 more`)
cluster('start', String(victim))
ok('done')
process.exit(0)
