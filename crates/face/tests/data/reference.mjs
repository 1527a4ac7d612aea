// Prints face-api.js's own outputs for raw RGB inputs, the references the
// Rust networks are tested against:
//   recognition: a 150x150 chip -> its 128 numbers (obama_chip.face-api.json)
//   landmarks:   a 112x112 input -> 68 (x, y) as fractions (obama_landmarks.face-api.json)
//
//   cd /tmp && npm pack @vladmandic/face-api@1.7.15 && tar xzf vladmandic-face-api-1.7.15.tgz
//   # the ESM bundle asks a bundler-stubbed `util` for TextEncoder under node; point it at node's own
//   sed 's/this.util=AR()/this.util=globalThis.require("util")/' package/dist/face-api.esm.js > fa.mjs
//   cp <repo>/crates/face/tests/data/reference.mjs .
//   node reference.mjs recognition obama_chip.raw
//   node reference.mjs landmarks obama_landmarks_input.raw
//
// where each .raw file holds the PNG's pixels as bytes of RGB (the image
// crate's `RgbImage::as_raw()`).
import { createRequire } from 'module';
import fs from 'fs';
globalThis.require = createRequire(import.meta.url);
const faceapi = await import('./fa.mjs');
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();
const [which, ...files] = process.argv.slice(2);
const model = which === 'landmarks' ? 'face_landmark_68_model' : 'face_recognition_model';
const net = which === 'landmarks' ? faceapi.nets.faceLandmark68Net : faceapi.nets.faceRecognitionNet;
const side = which === 'landmarks' ? 112 : 150;
const manifest = JSON.parse(fs.readFileSync(`package/model/${model}-weights_manifest.json`));
const bin = fs.readFileSync(`package/model/${model}.bin`);
net.loadFromWeightMap(tf.io.decodeWeights(new Uint8Array(bin).buffer, manifest[0].weights));
for (const file of files) {
  const input = tf.tensor3d(new Uint8Array(fs.readFileSync(file)), [side, side, 3], 'int32');
  if (which === 'landmarks') {
    const lm = await net.detectLandmarks(input);
    console.log(JSON.stringify(lm.relativePositions.flatMap((p) => [p.x, p.y])));
  } else {
    console.log(JSON.stringify(Array.from(await net.computeFaceDescriptor(input))));
  }
}
