using Coordinator.Reconciler.Cli;

return await CliApplication.RunAsync(args);
