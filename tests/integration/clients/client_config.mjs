// client_config: kafkajs connection options from the librdkafka properties
// file that `cluster.sh up --secure / --tls / --sasl` prints as CLIENT_CONFIG
// (env), so the same secure cluster serves kcat and kafkajs: TLS settings
// and SASL mechanism/username/password. No CLIENT_CONFIG: {}.
import fs from 'node:fs'

export function kafkajsSecurity () {
  const file = process.env.CLIENT_CONFIG
  if (!file) return {}
  const props = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^\s*([^#=\s]+)\s*=\s*(.*?)\s*$/)
    if (m) props[m[1]] = m[2]
  }
  const out = {}
  const proto = (props['security.protocol'] || 'plaintext').toLowerCase()
  if (proto === 'ssl' || proto === 'sasl_ssl') {
    const read = (k) => props[k] ? fs.readFileSync(props[k], 'utf8') : undefined
    out.ssl = {
      ca: props['ssl.ca.location'] ? [read('ssl.ca.location')] : undefined,
      cert: read('ssl.certificate.location'),
      key: read('ssl.key.location'),
      rejectUnauthorized: true
    }
    if (props['ssl.endpoint.identification.algorithm'] === 'none') {
      out.ssl.checkServerIdentity = () => undefined
    }
  }
  if (proto === 'sasl_plaintext' || proto === 'sasl_ssl') {
    out.sasl = {
      mechanism: (props['sasl.mechanisms'] || 'PLAIN').toLowerCase(),
      username: props['sasl.username'],
      password: props['sasl.password']
    }
  }
  return out
}
