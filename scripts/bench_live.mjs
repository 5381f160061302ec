// Event-to-subscriber latency across two instances: comments posted to instance A at a fixed
// rate, received by a graphql-ws subscriber of instance B (ticketEvents of dst_1); per change,
// the time from A's answer (the commit is done) to B's notice. Prints one JSON object.
//
//   node bench_live.mjs <A http url> <B ws url> <operator token> <changes per second> <seconds>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [a, b, token, rate, seconds] = process.argv.slice(2);
const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
const post = async (query, variables) => {
  const response = await fetch(a, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

const city = await post('{ districts { id categories { id } } }');
const district = city.districts[0];
const tickets = [];
for (let i = 0; i < 50; i++) {
  const data = await post(
    `mutation($d: ID!, $c: ID!) { submitTicket(input: { districtId: $d, categoryId: $c, title: "bench", description: "bench", channel: PHONE }) { id } }`,
    { d: district.id, c: district.categories[0].id },
  );
  tickets.push(data.submitTicket.id);
}

const acked = new Map();
const received = new Map();
const client = createClient({ url: b, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, keepAlive: 10_000 });
client.subscribe(
  { query: `subscription($d: ID!) { ticketEvents(districtId: $d) { cursor event { note } } }`, variables: { d: district.id } },
  {
    next: (result) => {
      const note = result.data?.ticketEvents?.event?.note;
      if (note && !received.has(note)) received.set(note, performance.now());
    },
    error: (error) => { console.error(JSON.stringify(error)); process.exit(1); },
    complete: () => {},
  },
);
const comment = (note, ticket) =>
  post(`mutation($id: ID!, $b: String!) { commentOnTicket(id: $id, body: $b) { id } }`, { id: ticket, b: note });

// The subscription is live once a probe arrives.
for (let probe = 0; ; probe++) {
  const note = `probe-${probe}`;
  await comment(note, tickets[0]);
  const until = performance.now() + 2000;
  while (!received.has(note) && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  if (received.has(note)) break;
}

const total = Number(rate) * Number(seconds);
const interval = 1000 / Number(rate);
const start = performance.now();
let failed = 0;
const inFlight = [];
for (let i = 0; i < total; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const note = `c-${i}`;
  inFlight.push(comment(note, tickets[i % tickets.length]).then(() => acked.set(note, performance.now()), () => failed++));
}
await Promise.all(inFlight);
const sent = performance.now() - start;
const deadline = performance.now() + 10_000;
while (received.size - 1 < acked.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const latencies = [...acked].filter(([note]) => received.has(note)).map(([note, at]) => Math.max(0, received.get(note) - at)).sort((x, y) => x - y);
const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({
  target_per_s: Number(rate), achieved_per_s: Math.round((acked.size / sent) * 1000), changes: acked.size, failed,
  delivered: latencies.length, missing: acked.size - latencies.length,
  p50_ms: +pick(0.5).toFixed(1), p99_ms: +pick(0.99).toFixed(1), max_ms: +latencies[latencies.length - 1].toFixed(1),
}));
client.dispose();
process.exit(0);
