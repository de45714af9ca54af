require("./run.js")("restore");
