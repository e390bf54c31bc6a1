// hot-loop.js: a hot JavaScript loop for test-jitmap-node-gdb, run as
// `node --perf-prof --perf-basic-prof hot-loop.js STOP_FILE` in a temp dir:
// V8 compiles iptHotLoop (interpreter, baseline, then TurboFan) and logs the
// code to jit-PID.dump there and /tmp/perf-PID.map. Runs until STOP_FILE
// exists, at most 60 s, so that the test can take a core of it meanwhile.
'use strict';
const fs = require('fs');

function iptHotLoop(n) {
  let s = 0;
  for (let i = 0; i < n; i++)
    s = (s + i * 7) % 1000003;
  return s;
}

const stop = process.argv[2];
const until = Date.now() + 60000;
let total = 0;
while (Date.now() < until && !(stop && fs.existsSync(stop)))
  total += iptHotLoop(100000);
console.log(total);
