// SPDX-License-Identifier: GPL-3.0-or-later
// The in-tree test service (tests/proto/wirescope/testing/test.proto) served by Connect for Node
// (@connectrpc/connect-node), which speaks Connect, gRPC and gRPC-Web on the same port. The
// service comes from a FileDescriptorSet made by protoc (with --include_imports, and
// google/rpc/error_details.proto for the rich errors). Started and stopped by the C++ tests.
//
//   node connect-server.js DESCRIPTOR_SET [--prefix /PATH] [--tls CERT KEY [--client-ca CA]]
//                          [--unix SOCKET_PATH]
//
// Serves on 127.0.0.1, each on a port of its own, and prints one line per listener, then "ready":
//   http1 127.0.0.1:PORT    HTTP/1.1 without TLS
//   h2c 127.0.0.1:PORT      HTTP/2 with prior knowledge, without TLS
//   https 127.0.0.1:PORT    (with --tls) TLS, ALPN offering h2 and http/1.1
//   unix PATH               (with --unix) HTTP/1.1 on a unix domain socket
// Every listener answers at the root and under --prefix (default /prefix/api).
//
// connect-node does not take the base64 gRPC-Web variant (application/grpc-web-text). Such a
// request is translated here the way Envoy's grpc_web filter does: the base64 body is decoded
// and passed on as application/grpc-web+proto to this server's own HTTP/1.1 listener, and the
// answer goes back base64-encoded one chunk at a time, each chunk padded on its own, so a client
// must read concatenated padded base64 as it comes.
//
// The methods do what the C++ test server does: Echo returns the request with the request
// headers and the authority; ServerStream sends `count` items every `interval_ms`; ClientStream
// counts and sums; Chat answers each message with "echo: " and a sequence number; Fail ends with
// the code and message asked for, with google.rpc details on request; Slow waits `delay_ms`
// (ending early when the call is cancelled or its deadline passes); Large returns `size` bytes.
// Request headers named x-* come back as response headers, and every call ends with the
// trailer x-trailer: done.
'use strict';

const fs = require('fs');
const http = require('http');
const http2 = require('http2');
const zlib = require('zlib');
const { fromBinary, toBinary, createFileRegistry } = require('@bufbuild/protobuf');
const { FileDescriptorSetSchema } = require('@bufbuild/protobuf/wkt');
const { ConnectError, Code, createContextKey, createContextValues } = require('@connectrpc/connect');
const { connectNodeAdapter } = require('@connectrpc/connect-node');

const args = process.argv.slice(2);
const descriptorSet = args.shift();
let prefix = '/prefix/api';
let tls = null;
let unixPath = null;
while (args.length > 0) {
  const flag = args.shift();
  if (flag === '--prefix') {
    prefix = args.shift();
  } else if (flag === '--tls') {
    tls = { cert: fs.readFileSync(args.shift()), key: fs.readFileSync(args.shift()) };
  } else if (flag === '--unix') {
    unixPath = args.shift();
  } else if (flag === '--client-ca' && tls) {
    tls.ca = fs.readFileSync(args.shift());
  } else {
    process.stderr.write(`unknown option ${flag}\n`);
    process.exit(2);
  }
}
if (!descriptorSet) {
  process.stderr.write('usage: node connect-server.js DESCRIPTOR_SET [--prefix /PATH] [--tls CERT KEY [--client-ca CA]]\n');
  process.exit(2);
}

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fs.readFileSync(descriptorSet)));
const service = registry.getService('wirescope.testing.TestService');
const detail = (name) => registry.getMessage(name);
const streamItem = registry.getMessage('wirescope.testing.StreamItem');
const peerKey = createContextKey('');

function echoHeaders(context) {
  for (const [key, value] of context.requestHeader) {
    if (key.startsWith('x-'))
      context.responseHeader.set(key, value);
  }
  context.responseTrailer.set('x-trailer', 'done');
}

// Waits `ms`, or throws when the call is cancelled or its deadline passes.
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(ConnectError.from(signal.reason));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(ConnectError.from(signal.reason));
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const implementation = {
  echo(request, context) {
    echoHeaders(context);
    const metadata = {};
    for (const [key, value] of context.requestHeader)
      metadata[key] = value;
    return { echo: request, metadata, authority: new URL(context.url).host, peer: context.values.get(peerKey) };
  },
  async *serverStream(request, context) {
    echoHeaders(context);
    const payload = new Uint8Array(Math.max(0, request.payloadSize)).fill(0x78);
    for (let i = 0; i < request.count; ++i) {
      if (request.intervalMs > 0)
        await sleep(request.intervalMs, context.signal);
      yield { index: i, text: request.text, payload };
    }
  },
  async clientStream(requests, context) {
    echoHeaders(context);
    const summary = { count: 0, texts: [], totalBytes: 0n };
    for await (const item of requests) {
      summary.count += 1;
      summary.texts.push(item.text);
      // The encoded size of the item, as the C++ server counts it.
      const size = toBinary(streamItem, item).length;
      summary.totalBytes += BigInt(size);
    }
    return summary;
  },
  async *chat(requests, context) {
    echoHeaders(context);
    let seq = 0;
    for await (const message of requests)
      yield { text: `echo: ${message.text}`, seq: ++seq };
  },
  fail(request, context) {
    echoHeaders(context);
    const code = request.code === 0 ? Code.InvalidArgument : request.code;
    const message = request.message === '' ? 'request failed' : request.message;
    if (!request.withDetails)
      throw new ConnectError(message, code);
    throw new ConnectError(message, code, undefined, [
      {
        desc: detail('google.rpc.BadRequest'),
        value: { fieldViolations: [{ field: 'name', description: 'must not be empty' }] },
      },
      {
        desc: detail('google.rpc.ErrorInfo'),
        value: { reason: 'TEST_FAILURE', domain: 'wirescope.test', metadata: { attempt: '1' } },
      },
      { desc: detail('google.rpc.RetryInfo'), value: { retryDelay: { seconds: 2n } } },
      { desc: detail('google.rpc.LocalizedMessage'), value: { locale: 'en-GB', message: 'That did not work.' } },
    ]);
  },
  async slow(request, context) {
    echoHeaders(context);
    await sleep(request.delayMs, context.signal);
    return {};
  },
  large(request, context) {
    echoHeaders(context);
    return { data: new Uint8Array(Math.max(0, request.size)).fill(0x4c) };
  },
};

function adapter(requestPathPrefix) {
  return connectNodeAdapter({
    routes: (router) => router.service(service, implementation),
    requestPathPrefix,
    jsonOptions: { registry },
    readMaxBytes: 64 * 1024 * 1024,
    writeMaxBytes: 64 * 1024 * 1024,
    contextValues: (req) =>
      createContextValues().set(peerKey, `${req.socket.remoteAddress}:${req.socket.remotePort}`),
  });
}
const atRoot = adapter('');
const underPrefix = adapter(prefix);

let http1Port = 0;

// Standard base64 that may be several padded pieces one after another.
function decodeBase64Pieces(text) {
  const parts = [];
  for (const piece of text.replace(/\s+/g, '').split(/(?<==)(?=[^=])/))
    parts.push(Buffer.from(piece, 'base64'));
  return Buffer.concat(parts);
}

function serveText(req, res) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = decodeBase64Pieces(Buffer.concat(chunks).toString('latin1'));
    const headers = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (!key.startsWith(':') && key !== 'content-length' && key !== 'transfer-encoding' && key !== 'host' &&
          key !== 'connection')
        headers[key] = value;
    }
    headers['content-type'] = 'application/grpc-web+proto';
    headers['content-length'] = String(body.length);
    const inner = http.request(
      { host: '127.0.0.1', port: http1Port, method: 'POST', path: req.url, headers },
      (answer) => {
        const out = {};
        for (const [key, value] of Object.entries(answer.headers)) {
          if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection' &&
              key !== 'keep-alive' && key !== 'date')
            out[key] = value;
        }
        out['content-type'] = 'application/grpc-web-text+proto';
        res.writeHead(answer.statusCode, out);
        answer.on('data', (chunk) => res.write(chunk.toString('base64')));
        answer.on('end', () => res.end());
      });
    inner.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    // The client went away before the answer was complete: so does the inner call.
    res.on('close', () => {
      if (!res.writableFinished)
        inner.destroy();
    });
    inner.end(body);
  });
}

// A gRPC-Web request with the header x-test-trailers-only: NAME gets the answer a proxy such as
// Envoy passes on from a gRPC server that fails at once: a "trailers-only" response, whose
// status, message and trailers are the HTTP headers and whose body is empty.
function trailersOnly(req, res) {
  req.resume();
  res.writeHead(200, {
    'content-type': 'application/grpc-web+proto',
    'grpc-status': '7',
    'grpc-message': 'denied%20for%20' + encodeURIComponent(String(req.headers['x-test-trailers-only'])),
    'x-trailer': 'done',
  });
  res.end();
}

// A Connect unary request with the header x-test-gzip-error: MESSAGE gets an error whose JSON
// body is gzip-compressed (Content-Encoding: gzip), as a Connect server that compresses every
// large enough body may send it; connect-node itself never compresses errors.
function gzipError(req, res) {
  req.resume();
  const error = { code: 'not_found', message: String(req.headers['x-test-gzip-error']) };
  res.writeHead(404, {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'trailer-x-trailer': 'done',
  });
  res.end(zlib.gzipSync(Buffer.from(JSON.stringify(error))));
}

function handle(req, res) {
  if (req.headers['x-test-gzip-error'] &&
      /^application\/(proto|json)/i.test(String(req.headers['content-type'] || ''))) {
    gzipError(req, res);
    return;
  }
  if (req.headers['x-test-trailers-only'] &&
      /^application\/grpc-web/i.test(String(req.headers['content-type'] || ''))) {
    trailersOnly(req, res);
    return;
  }
  if (/^application\/grpc-web-text/i.test(String(req.headers['content-type'] || ''))) {
    serveText(req, res);
    return;
  }
  if (req.url.startsWith(prefix + '/'))
    underPrefix(req, res);
  else
    atRoot(req, res);
}

function listen(server, name) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (name === 'unix') {
      server.listen(unixPath, () => resolve({ name, address: unixPath }));
      return;
    }
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ name, port, address: `127.0.0.1:${port}` });
    });
  });
}

const servers = [http.createServer(handle), http2.createServer(handle)];
const names = ['http1', 'h2c'];
if (tls) {
  servers.push(http2.createSecureServer({
    allowHTTP1: true,
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca,
    requestCert: !!tls.ca,
    rejectUnauthorized: !!tls.ca,
  }, handle));
  names.push('https');
}
if (unixPath) {
  servers.push(http.createServer(handle));
  names.push('unix');
}

Promise.all(servers.map((server, i) => listen(server, names[i]))).then((listening) => {
  for (const { name, port, address } of listening) {
    if (name === 'http1')
      http1Port = port;
    process.stdout.write(`${name} ${address}\n`);
  }
  process.stdout.write('ready\n');
}, (error) => {
  process.stderr.write(`cannot listen: ${error.message}\n`);
  process.exit(1);
});

function stop() {
  for (const server of servers)
    server.close();
  // Streams still open (a test that left a call running) must not keep the process alive.
  setTimeout(() => process.exit(0), 200).unref();
}
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, stop);
