// `node -r bin/sdk-deferral-register.js ...`: defers the modules of @pulumi/pulumi no policy pack uses
// (sdk-deferral.js) for the SDK the working directory resolves, as a policy pack running there does.
"use strict";
require("./sdk-deferral").deferUnusedSdkModules([process.cwd()]);
