#!/usr/bin/env node
// The bin npm links. It is checked in, not built, so that a fresh checkout's
// `npm install` finds it when it links the workspace, before `prepare` has
// built dist/.
import './dist/cli.js';
