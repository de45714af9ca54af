require("./run.js")("save");
