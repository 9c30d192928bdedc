using Coordinator.Bench.Runtime;

// Prints the runtime figures the Reconciler runtime issue asks for, measured on the local stack (moto by default):
// put-item -> reconcile-started latency (p50/p99 over 200 jobs), idle GetRecords calls/s, idle daemon RSS.
// Usage: dotnet run -c Release --project bench/Runtime [-- --jobs 200 --gap-ms 25 --idle-seconds 20 --daemon <path to coordinator.dll>]
return await RuntimeBenchmark.RunAsync(args);
