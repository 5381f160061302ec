// Memory per open subscription: opens N `ticketUpdated` subscriptions, 20 per connection, and
// holds them. Compare the server's VmRSS (/proc/<pid>/status) before and after, once /metrics
// shows N more `civitas_live_readers` (BENCHMARKS.md, "Subscriptions").
//   node bench_subscriptions.mjs ws://127.0.0.1:8080/graphql <operator token> <ticket id> <N>
// Needs graphql-ws@6.0.4, ws@8.18.0 and graphql@16.9.0 installed beside it (npm install).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
const [url, token, ticket, total] = process.argv.slice(2);
const perConnection = 20;
let live = 0;
const connections = Math.ceil(Number(total) / perConnection);
for (let c = 0; c < connections; c++) {
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0, keepAlive: 60_000 });
  for (let i = 0; i < perConnection && c * perConnection + i < Number(total); i++) {
    client.subscribe({ query: `subscription { ticketUpdated(id: "${ticket}") { id status } }` }, {
      next: () => {}, error: (e) => { console.error('error', JSON.stringify(e)); }, complete: () => {},
    });
  }
}
console.log(`opening ${total} subscriptions on ${connections} connections`);
setInterval(() => {}, 1 << 30);
