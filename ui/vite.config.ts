import { defineConfig } from "vite";

// Tauri serves the built files; the dev server port is the one tauri.conf.json's devUrl names.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { outDir: "dist", target: "es2022", emptyOutDir: true },
});
