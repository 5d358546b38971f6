// `node -r bin/module-deferral-register.js ...`: defers the modules of the Pulumi SDKs and zod no policy pack uses
// (module-deferral.js) for the packages the working directory resolves, as a policy pack running there does.
"use strict";
require("./module-deferral").deferUnusedModules([process.cwd()]);
