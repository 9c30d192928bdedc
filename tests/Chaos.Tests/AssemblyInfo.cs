// Chaos tests kill daemons, stop slurmctld and drain the shared Slurm node: never two at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
