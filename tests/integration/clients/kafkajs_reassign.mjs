// kafkajs_reassign: kafkajs 2.2.4's admin alterPartitionReassignments and
// listPartitionReassignments against a 3-broker cluster. Broker C (neither
// the controller nor a replica) is paused with SIGSTOP so that a move onto
// it stays in progress: the list shows it (adding C, removing B), a
// cancellation (null replicas, sent raw by reassign_cancel.py) puts the
// partition back on its original replicas; after SIGCONT the same move
// completes. Bad targets get INVALID_REPLICA_ASSIGNMENT. Exit 1 on the first
// failed check.
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(path.join(path.resolve(process.env.NODE_DEPS_DIR), 'package.json'))
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const { Kafka, logLevel } = require('kafkajs')

const HERE = path.dirname(fileURLToPath(import.meta.url))
const TOPIC = 'kafkajs-reassign'
const fail = (msg) => { console.log('FAIL ' + msg); cont(); process.exit(1) }
const ok = (msg) => console.log('ok   ' + msg)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort())
let pausedPid = null
const cont = () => { if (pausedPid) { try { process.kill(pausedPid, 'SIGCONT') } catch {} pausedPid = null } }

const opts = { logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 } }
const probe = new Kafka({ clientId: 'reassign-probe', brokers: process.env.BOOTSTRAP.split(','), ...opts }).admin()
await probe.connect()
const cluster = await probe.describeCluster()
await probe.disconnect()
const ctl = cluster.brokers.find((b) => b.nodeId === cluster.controller)
if (!ctl || cluster.brokers.length !== 3) fail('describeCluster: ' + JSON.stringify(cluster))
const others = cluster.brokers.map((b) => b.nodeId).filter((id) => id !== ctl.nodeId).sort()
const [A, B, C] = [ctl.nodeId, others[0], others[1]]
// only the controller as bootstrap: metadata never goes to the paused broker
const admin = new Kafka({ clientId: 'reassign', brokers: [`${ctl.host}:${ctl.port}`], ...opts }).admin()
await admin.connect()

// waits (bounded) until check() returns a truthy value
async function until (what, check, ms = 20000) {
  const end = Date.now() + ms
  let last = null
  for (;;) {
    // a broker resuming from SIGSTOP finds its session expired and
    // registers again: metadata may briefly lack it or the controller
    let v = null
    try { v = await check() } catch (e) { last = e }
    if (v) return v
    if (Date.now() > end) fail('timed out waiting for ' + what + (last ? ': ' + last.message : ''))
    await sleep(250)
  }
}
const listed = async () => (await admin.listPartitionReassignments({ topics: [{ topic: TOPIC, partitions: [0] }] })).topics
const replicasNow = async () => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0].partitions[0].replicas

await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [A, B] }] }], waitForLeaders: true })
ok(`topic on [${A},${B}]; controller ${A}, paused broker will be ${C}`)

// bad targets
for (const [replicas, why] of [[[A, 999], 'unregistered broker'], [[A, A], 'duplicate']]) {
  try {
    await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas }] }] })
    fail(`alter to ${why} accepted`)
  } catch (e) {
    const types = (e.errors || [e]).map((x) => x.type)
    if (!types.includes('INVALID_REPLICA_ASSIGNMENT')) fail(`alter to ${why}: ${e.message} ${types}`)
  }
}
ok('alterPartitionReassignments: unregistered and duplicate brokers rejected')
if ((await listed()).length !== 0) fail('list before any move is not empty')

// a move onto a paused broker stays in progress
const pidFile = path.join(process.env.GREGOR_CLUSTER_DIR, 'pids', `broker-${C}.pid`)
pausedPid = parseInt(readFileSync(pidFile, 'utf8'), 10)
process.kill(pausedPid, 'SIGSTOP')
await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [A, C] }] }] })
const t = await until('the move to be listed', async () => { const l = await listed(); return l.length ? l : null })
const p = t[0].partitions[0]
if (t[0].name !== TOPIC || p.partition !== 0 || !same(p.addingReplicas, [C]) ||
    !same(p.removingReplicas, [B]) || !same(p.replicas, [A, B, C])) fail('listed: ' + JSON.stringify(t))
ok(`listPartitionReassignments: replicas [${p.replicas}], adding [${p.addingReplicas}], removing [${p.removingReplicas}]`)

// cancel: back to [A, B]
const cancel = () => execFileSync('python3', [path.join(HERE, 'reassign_cancel.py'), `${ctl.host}:${ctl.port}`, TOPIC, '0']).toString().trim()
let r = cancel()
if (r !== '0 0') fail('cancel: errors ' + r)
await until('the cancellation to finish', async () => (await listed()).length === 0 && same(await replicasNow(), [A, B]))
r = cancel()
if (r !== '0 85') fail('second cancel: errors ' + r + ', not NO_REASSIGNMENT_IN_PROGRESS (85)')
ok(`cancel (null replicas): back on [${A},${B}]; cancelling again: NO_REASSIGNMENT_IN_PROGRESS`)

// after SIGCONT the move completes
cont()
await until(`broker ${C} registered again and a controller known`, async () => {
  const d = await admin.describeCluster()
  return d.brokers.length === 3 && d.controller >= 0
}, 30000)
await until('the move onto the resumed broker to be accepted', async () => {
  await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [A, C] }] }] })
  return true
}, 30000)
await until('the move to complete', async () => (await listed()).length === 0 && same(await replicasNow(), [A, C]), 30000)
ok(`move completed: replicas [${await replicasNow()}], nothing listed`)
await admin.disconnect()
