namespace Coordinator.Chaos.Tests;

/// <summary>What the fault proxy does to one request.</summary>
internal enum FaultKind
{
    /// <summary>Forwarded untouched.</summary>
    None,

    /// <summary>DynamoDB 400 ThrottlingException / ProvisionedThroughputExceededException; S3 503 SlowDown. Never reaches moto.</summary>
    Throttle,

    /// <summary>500 InternalServerError / InternalError. Never reaches moto.</summary>
    ServerError,

    /// <summary>503 ServiceUnavailable. Never reaches moto.</summary>
    Unavailable,

    /// <summary>The connection is reset (RST) before the request reaches moto.</summary>
    ResetBefore,

    /// <summary>The request reaches moto and takes effect, then the connection is reset: the reply is lost.</summary>
    ResetAfter,

    /// <summary>100–800 ms of added latency, then forwarded.</summary>
    Latency,
}
