// Process-wide state: see src/util/single-build.ts.
import '../util/single-build';
import { EventBus } from './event-bus';

/** The bus the framework emits into unless told otherwise. Create isolated ones with `new EventBus()`. */
export const events = new EventBus();
