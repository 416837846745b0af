// kafkajs_sasl: kafkajs 2.2.4 over SASL_PLAINTEXT (cluster.sh up --sasl) with
// each of its mechanisms: plain, scram-sha-256 and scram-sha-512, as the
// cluster's admin user (password from CLIENT_CONFIG). For each mechanism a
// producer writes COUNT messages (acks=-1) to a replicated topic and a
// consumer group member reads them back; then a wrong password must fail
// with kafkajs' SASL authentication error. The brokers run with
// connections.max.reauth.ms (KIP-368): kafkajs re-authenticates its
// long-lived connections before they expire, which the broker logs say
// (GREGOR_CLUSTER_DIR/logs), and no request of it is refused for an
// expired session. Exit 1 on any mismatch.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const deps = process.env.NODE_DEPS_DIR
const bootstrap = process.env.BOOTSTRAP
const clientConfig = process.env.CLIENT_CONFIG
if (!deps || !bootstrap || !clientConfig) {
  console.error('need NODE_DEPS_DIR, BOOTSTRAP and CLIENT_CONFIG (cluster.sh up --sasl)')
  process.exit(2)
}
const require = createRequire(path.join(path.resolve(deps), 'package.json'))
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'
const { Kafka, logLevel } = require('kafkajs')

const COUNT = Number(process.env.COUNT || 200)
const DEADLINE_MS = 25000
const props = Object.fromEntries(readFileSync(clientConfig, 'utf8').split('\n')
  .filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
const username = props['sasl.username']
const password = props['sasl.password']
let failed = false
const fail = (msg) => { console.error('FAIL: ' + msg); failed = true }

function client (mechanism, pw) {
  return new Kafka({
    clientId: `gregor-kafkajs-sasl-${mechanism}`,
    brokers: bootstrap.split(','),
    sasl: { mechanism, username, password: pw },
    logLevel: logLevel.NOTHING,
    reauthenticationThreshold: 2000,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 }
  })
}

async function roundtrip (mechanism) {
  const kafka = client(mechanism, password)
  const topic = `sasl-${mechanism}-${Date.now()}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic, numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true, timeout: 30000
  })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  const sent = []
  for (let i = 0; i < COUNT; i++) sent.push({ key: `k${i}`, value: `${mechanism}-${i}` })
  await producer.send({ topic, acks: -1, messages: sent })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: `g-${topic}`, sessionTimeout: 10000, heartbeatInterval: 1000 })
  const got = new Set()
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let done
  const all = new Promise((resolve) => { done = resolve })
  await consumer.run({
    eachMessage: async ({ message }) => {
      got.add(message.value.toString())
      if (got.size === COUNT) done()
    }
  })
  const timer = setTimeout(done, DEADLINE_MS)
  await all
  clearTimeout(timer)
  await consumer.disconnect()
  const missing = sent.filter((m) => !got.has(m.value)).length
  if (missing || got.size !== COUNT) fail(`${mechanism}: read ${got.size} of ${COUNT} (${missing} missing)`)
  else console.log(`${mechanism}: ${COUNT} messages produced (acks=-1) and consumed by a group member`)
}

async function wrongPassword (mechanism) {
  const admin = client(mechanism, password + '-wrong').admin()
  try {
    await admin.connect()
    await admin.listTopics()
    fail(`${mechanism}: a wrong password was accepted`)
  } catch (e) {
    if (e.name !== 'KafkaJSSASLAuthenticationError' && !/SASL|[Aa]uthentication/.test(String(e.message))) {
      fail(`${mechanism}: wrong password gave ${e.name}: ${e.message}`)
    } else {
      console.log(`${mechanism}: wrong password refused (${e.name})`)
    }
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

for (const m of ['plain', 'scram-sha-256', 'scram-sha-512']) {
  try {
    await roundtrip(m)
    await wrongPassword(m)
  } catch (e) {
    fail(`${m}: ${e.name}: ${e.message}`)
  }
}

// KIP-368: the broker logs every re-authentication; an expired session
// would have been closed by the gate ("before authentication: closing").
const dir = process.env.GREGOR_CLUSTER_DIR
if (dir && process.env.REAUTH) {
  let reauth = 0
  let expired = 0
  for (const f of readdirSync(path.join(dir, 'logs')).filter((f) => f.startsWith('broker-'))) {
    const text = readFileSync(path.join(dir, 'logs', f), 'utf8')
    reauth += (text.match(/re-authenticated as User:admin/g) || []).length
    expired += (text.match(/before authentication: closing/g) || []).length
  }
  if (reauth === 0) fail('no connection re-authenticated (KIP-368)')
  else console.log(`${reauth} re-authentications logged, ${expired} expired sessions closed`)
}
process.exit(failed ? 1 : 0)
