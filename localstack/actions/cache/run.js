// Runs cache.py (restore or save) with the runner's python3: node is here only because act
// runs a `post:` step for JavaScript actions alone (not for composite ones).
const { spawnSync } = require("child_process");
const path = require("path");

module.exports = function run(stage) {
  const script = path.join(__dirname, "cache.py");
  for (const python of ["python3", "python"]) {
    const result = spawnSync(python, [script, stage], { stdio: "inherit" });
    if (result.error && result.error.code === "ENOENT") continue;
    if (result.error) throw result.error;
    process.exitCode = result.status === null ? 1 : result.status;
    return;
  }
  console.log("::warning::actions/cache stand-in: no python3 on this runner: cold cache");
};
