/** The runtime sensor's shared types: events, containers, processes, alerts. */
export type {
  Alert,
  AlertSeverity,
  ContainerEvent,
  ContainerRef,
  DropEvent,
  ExecEvent,
  ExitEvent,
  FdKind,
  NetworkEvent,
  NotableSyscallEvent,
  OpenEvent,
  ProcessEvent,
  ProcessInfo,
  SensorEvent,
  SyscallSetEvent,
} from './types.js';
