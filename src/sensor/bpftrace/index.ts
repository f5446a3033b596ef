/** The sensor's kernel side: generated bpftrace scripts, the bpftrace runner and its output parser. */
export { DEFAULT_SENSITIVE_PATHS, EVENT_FAMILIES, cgroupPredicate } from './options.js';
export type {
  CgroupFilter,
  CompactionSpec,
  EventFamily,
  InodeCtime,
  SensorScriptOptions,
} from './options.js';
export { generateSensorScript } from './script.js';
export { generateEnforcerScript } from './enforcer.js';
export type { AllowedPeer, EnforcerRule } from './enforcer.js';
export { availableTracepoints, inodeCtimeFields, startSensor } from './runner.js';
export type { Sensor, SensorStats, StartSensorOptions } from './runner.js';
export { BoundedQueue } from './queue.js';
export type { DropSource } from './queue.js';
export { decodeLine } from './jsonline.js';
export type { BpftraceLine } from './jsonline.js';
export { RecordAssembler } from './records.js';
export type { AssembledEvent, AssemblerOptions } from './records.js';
export { syscallName, syscallSets } from './syscallsets.js';
export { X86_64_SYSCALLS } from './syscalls-x86_64.js';
export type { EnforcementEvent, ExecRepeatEvent, SensorOutput } from './types.js';
export type { ExecCompaction } from './compact.js';
