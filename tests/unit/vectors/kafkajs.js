// kafkajs traffic against the librdkafka mock cluster (see capture.sh):
// produce five messages, read them back, list offsets. Needs kafkajs in
// NODE_PATH; argv[2] is the bootstrap address.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const kafka = new Kafka({ clientId: 'gregor-vectors-js', brokers: [process.argv[2]],
    logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic: 'vec', messages: [0, 1, 2, 3, 4].map(i => ({
    key: i % 2 ? 'key' : null, value: 'value-' + i })) });
  await p.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.fetchTopicOffsets('vec');
  await admin.disconnect();
}
const timer = setTimeout(() => process.exit(3), 8000);
main().then(() => { clearTimeout(timer); process.exit(0); },
  e => { console.error(e.message); process.exit(2); });
