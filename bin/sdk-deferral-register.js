// `node -r bin/sdk-deferral-register.js ...`: defers @pulumi/pulumi's closure modules
// (sdk-deferral.js) for the SDK the working directory resolves, as a policy pack running there does.
"use strict";
require("./sdk-deferral").deferSdkClosureModules([process.cwd()]);
