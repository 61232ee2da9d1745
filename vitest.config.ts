import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite 8 transforms TS with oxc; legacy decorators + design:* metadata are made explicit
  // so class codecs work in every test file (see ../shared/spec/toolchain.md pitfall 3).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
