// `node -r bin/ts-cache-register.js FILE.ts`: the compile cache (ts-cache.js) for the working
// directory's tsconfig.json, as `-r ts-node/register/transpile-only` would use it.
"use strict";
require("./ts-cache").register();
