// kafkajs traffic against the librdkafka mock cluster (see capture.sh):
// produce five messages, read them back, list offsets; then a consumer
// group (join, sync, heartbeat, commit, leave). No transactions: kafkajs
// looks for the mock's controller id 0, which is no broker. Needs kafkajs in
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
  await groupConsumer(kafka);
}

// Consumes the five messages as a group member, commits, leaves.
async function groupConsumer(kafka) {
  const c = kafka.consumer({ groupId: 'vectors-js', heartbeatInterval: 100,
    sessionTimeout: 6000 });
  await c.connect();
  await c.subscribe({ topic: 'vec', fromBeginning: true });
  let got = 0;
  await new Promise((resolve) => {
    c.run({ autoCommit: false, eachMessage: async ({ partition, message }) => {
      got++;
      if (got === 5) {
        await c.commitOffsets([{ topic: 'vec', partition,
          offset: (BigInt(message.offset) + 1n).toString() }]);
        setTimeout(resolve, 500); // a few heartbeats
      }
    } });
  });
  await c.disconnect();
}

const timer = setTimeout(() => process.exit(3), 25000);
main().then(() => { clearTimeout(timer); process.exit(0); },
  e => { console.error(e.message); process.exit(2); });
