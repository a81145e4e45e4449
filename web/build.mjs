// Bundles the widget and socket.io-client into one file, dist/widget.js, that
// the council serves from its own site (no CDN at run time). The banner keeps
// the MIT notices of the bundled socket.io packages, as their licence asks.
import { build } from "esbuild";

const banner = `/*! SEND disagreements assistant: website chat widget.
 * Bundles socket.io-client, engine.io-client, engine.io-parser and socket.io-parser,
 * Copyright (c) 2014-present Guillermo Rauch and Socket.IO contributors, and
 * @socket.io/component-emitter, Copyright (c) 2014 Component contributors, under the MIT licence:
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this software
 * and associated documentation files (the "Software"), to deal in the Software without
 * restriction, including without limitation the rights to use, copy, modify, merge, publish,
 * distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions: The above copyright
 * notice and this permission notice shall be included in all copies or substantial portions of
 * the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
 * PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
 * LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
 * OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */`;

await build({
  entryPoints: ["src/widget.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  loader: { ".css": "text" },
  banner: { js: banner },
  legalComments: "eof",
  outfile: "dist/widget.js",
  logLevel: "info",
});
