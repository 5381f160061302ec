// A real graphql-ws client (the npm `graphql-ws` package over `ws`): subscribes with the token
// in connection_init's payload and prints one JSON line per message, for the Rust tests to read.
//
//   node graphql_ws_subscribe.mjs <ws url> <token or -> <query> <variables JSON> [copies]
//
// `copies` subscriptions (1 by default) share the one connection. Lines: {"connected":true},
// then per message {"n": copy, "next": <result>}; {"n": copy, "error": [<GraphQL errors>]} for a
// refused subscription; {"closed": {"code": …, "reason": …}} when the server closes the
// connection. Exits when every subscription has ended, or when stdin closes.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, query, variables, copies] = process.argv.slice(2);
const say = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const quit = () => {
  client.dispose();
  process.exit(0);
};

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: token === '-' ? {} : { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  keepAlive: 10_000,
  on: { connected: () => say({ connected: true }) },
});

let open = Number(copies || 1);
for (let n = 0; n < Number(copies || 1); n++) {
  client.subscribe(
    { query, variables: JSON.parse(variables || '{}') },
    {
      next: (result) => say({ n, next: result }),
      error: (error) => {
        if (Array.isArray(error)) {
          say({ n, error });
        } else {
          say({ closed: { code: error?.code ?? null, reason: String(error?.reason ?? error?.message ?? error) } });
          quit();
        }
        if (--open === 0) quit();
      },
      complete: () => {
        say({ n, complete: true });
        if (--open === 0) quit();
      },
    },
  );
}

// The test ends the subscriptions by closing our stdin.
process.stdin.on('end', quit);
process.stdin.resume();
