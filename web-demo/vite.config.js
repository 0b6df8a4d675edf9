// The demo is built with Vite from npm. The daaki-imap package is the `--target web` output
// of `wasm-pack build` (`cargo xtask demo` builds it into tests/npm/pkg and passes that
// directory in DAAKI_IMAP_PKG).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const pkg = process.env.DAAKI_IMAP_PKG ?? fileURLToPath(new URL('../tests/npm/pkg', import.meta.url));

export default defineConfig({
  resolve: { alias: { 'daaki-imap': pkg } },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { fs: { allow: ['.', pkg] } },
});
