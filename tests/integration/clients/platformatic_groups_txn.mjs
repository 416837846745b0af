// platformatic_groups_txn: @platformatic/kafka (the client that picks the
// newest versions: Fetch 12, Metadata 12, JoinGroup 9, OffsetCommit and
// OffsetFetch 9, ListOffsets 9, InitProducerId 5, EndTxn 4, ...) through a
// consumer group and transactions. A transactional producer commits one
// transaction and aborts another; a plain producer adds keyed messages; a
// read_committed group consumer reads every committed message and no
// aborted one, committing each; a new consumer of the group in "committed"
// mode gets only what came after. Exit 1 on the first failed check.
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const entry = path.join(path.resolve(process.env.NODE_DEPS_DIR), 'node_modules/@platformatic/kafka/dist/index.js')
const { Admin, Producer, Consumer, ProduceAcks, stringSerializers, stringDeserializers } =
  await import(pathToFileURL(entry).href)

const TOPIC = 'plat-groups-txn'
const GROUP = 'plat-group'
const fail = (msg) => { console.log('FAIL ' + msg); process.exit(1) }
const ok = (msg) => console.log('ok   ' + msg)
const common = { clientId: 'plat-groups-txn', bootstrapBrokers: process.env.BOOTSTRAP.split(','), timeout: 30000, retries: 60, retryDelay: 500 }
const keyed = (prefix, n) => Array.from({ length: n }, (_, i) => ({ topic: TOPIC, key: `${prefix}-k${i % 7}`, value: `${prefix}-v${i}` }))

const admin = new Admin(common)
await admin.createTopics({ topics: [TOPIC], partitions: 3, replicas: 3 })
await admin.close()

const tp = new Producer({ ...common, serializers: stringSerializers, idempotent: true, transactionalId: 'plat-tx', acks: ProduceAcks.ALL })
let tx = await tp.beginTransaction()
await tx.send({ messages: keyed('t', 10) })
await tx.commit()
tx = await tp.beginTransaction()
await tx.send({ messages: keyed('x', 10).map((m) => ({ ...m, key: 'aborted' })) })
await tx.abort()
await tp.close()
ok('transactional producer: one transaction committed, one aborted')

const p = new Producer({ ...common, serializers: stringSerializers, acks: ProduceAcks.ALL })
await p.send({ messages: keyed('a', 30) })
ok('producer: 30 keyed messages')

async function consume (mode, want) {
  const c = new Consumer({ ...common, groupId: GROUP, deserializers: stringDeserializers })
  const stream = await c.consume({ topics: [TOPIC], mode, fallbackMode: 'earliest', autocommit: false, isolationLevel: 1, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTime: 200 })
  const got = new Set()
  const deadline = Date.now() + 60000
  for await (const m of stream) {
    if (m.key === 'aborted') fail('read_committed group consumer got aborted data')
    got.add(`${m.key}=${m.value}`)
    await m.commit()
    if (got.size >= want.size || Date.now() > deadline) break
  }
  await stream.close()
  await c.close()
  for (const kv of want) if (!got.has(kv)) fail(`${kv} not consumed (${got.size} of ${want.size})`)
  return got
}
const set = (...lists) => new Set(lists.flat().map((m) => `${m.key}=${m.value}`))
await consume('earliest', set(keyed('t', 10), keyed('a', 30)))
ok('read_committed group consumer: the 40 committed messages, committed one by one, nothing aborted')
await p.send({ messages: keyed('b', 10) })
await p.close()
const got = await consume('committed', set(keyed('b', 10)))
if (got.size !== 10) fail(`resumed consumer got ${got.size} messages, not the 10 new ones`)
ok('a new group consumer in committed mode resumes after the committed offsets')
process.exit(0)
