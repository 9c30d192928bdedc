namespace Coordinator.Model.Spec;

/// <summary>
/// The format of a batch's result and of the aggregated output: spec.output.format when set; otherwise the input's
/// format for a file handler (it keeps the native format) and JSONL for every other mode, whose handlers write JSON
/// records whatever the input (docs/handlers.md, "Record shapes").
/// </summary>
public static class ResultFormat
{
    public static InputFormat Of(JobSpec spec) =>
        spec.Output.Format ?? (spec.Handler.Mode == HandlerMode.File ? spec.Input.Format : InputFormat.Jsonl);
}
