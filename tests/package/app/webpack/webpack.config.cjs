const path = require('node:path');
module.exports = {
  mode: 'production',
  context: path.resolve(__dirname, '..'),
  entry: './main.js',
  output: { path: path.resolve(__dirname, 'dist'), filename: 'main.js', clean: true },
};
