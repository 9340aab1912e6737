// SPDX-License-Identifier: GPL-3.0-or-later
// A grpc-js server with @grpc/reflection (v1 and v1alpha), the usual way Node services offer
// reflection, serving the catalog in tests/proto/my_pkg. Started and stopped by the C++ tests.
//
//   node reflection-server.js [--only v1|v1alpha] [--require-header NAME=VALUE] PROTO_DIR FILE.proto...
//
// --only serves one version of the reflection service instead of both; --require-header makes
// reflection calls without that header fail with UNAUTHENTICATED.
// Prints "listening on 127.0.0.1:PORT" once it accepts calls. Every method echoes what it gets:
// Echo returns the item, List streams `limit` numbered items, Collect counts the items and sums
// their `count`, Chat answers each item with itself. Request headers named x-* come back as
// response headers, so tests can see them arrive.
'use strict';

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { ReflectionService } = require('@grpc/reflection');

const args = process.argv.slice(2);
let only = '';
let required = null;
while (args.length > 0 && args[0].startsWith('--')) {
  const flag = args.shift();
  const value = args.shift() || '';
  if (flag === '--only' && (value === 'v1' || value === 'v1alpha')) {
    only = value;
  } else if (flag === '--require-header' && value.includes('=')) {
    const at = value.indexOf('=');
    required = { name: value.slice(0, at).toLowerCase(), value: value.slice(at + 1) };
  } else {
    process.stderr.write(`unknown option ${flag} ${value}\n`);
    process.exit(2);
  }
}
const [protoDir, ...files] = args;
if (!protoDir || files.length === 0) {
  process.stderr.write('usage: node reflection-server.js [--only v1|v1alpha] [--require-header NAME=VALUE] ' +
                       'PROTO_DIR FILE.proto...\n');
  process.exit(2);
}

const definition = protoLoader.loadSync(files, {
  includeDirs: [protoDir],
  keepCase: true,
  longs: String,
  enums: String,
  oneofs: true,
});
const catalog = grpc.loadPackageDefinition(definition).my_pkg.v1.Catalog;

function echoHeaders(call) {
  const out = new grpc.Metadata();
  for (const [key, value] of Object.entries(call.metadata.getMap()))
    if (key.startsWith('x-'))
      out.set(key, String(value));
  call.sendMetadata(out);
}

const server = new grpc.Server();
server.addService(catalog.service, {
  Echo(call, callback) {
    echoHeaders(call);
    callback(null, call.request);
  },
  List(call) {
    echoHeaders(call);
    const limit = call.request.limit || 0;
    for (let i = 0; i < limit; ++i)
      call.write({ id: `item-${i}`, count: String(i) });
    call.end();
  },
  Collect(call, callback) {
    echoHeaders(call);
    let total = 0n;
    call.on('data', (item) => { total += BigInt(item.count || 0); });
    call.on('end', () => callback(null, { total: total.toString() }));
  },
  Chat(call) {
    echoHeaders(call);
    call.on('data', (item) => call.write(item));
    call.on('end', () => call.end());
  },
});

// The reflection service registers itself through this, so its handlers can check a header first.
const guarded = {
  addService(service, handlers) {
    const wrapped = {};
    for (const [name, handler] of Object.entries(handlers)) {
      wrapped[name] = (call, ...rest) => {
        const got = required ? call.metadata.get(required.name) : [];
        if (required && String(got[0] || '') !== required.value) {
          const details = `reflection needs the ${required.name} header`;
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details });
          return;
        }
        handler(call, ...rest);
      };
    }
    server.addService(service, wrapped);
  },
};
const reflection = new ReflectionService(definition);
if (only === 'v1')
  reflection.v1.addToServer(guarded);
else if (only === 'v1alpha')
  reflection.v1Alpha.addToServer(guarded);
else
  reflection.addToServer(guarded);

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`cannot listen: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => server.tryShutdown(() => process.exit(0)));
