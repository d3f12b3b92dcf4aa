#!/usr/bin/env node
// Kept for existing client configs and scripts (`node dist/server/main.js`): the same command as the bin.
import '../cli/main.js';
