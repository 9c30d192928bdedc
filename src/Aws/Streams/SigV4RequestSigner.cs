using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace Coordinator.Aws.Streams;

/// <summary>
/// Signs an outgoing <see cref="HttpRequestMessage"/> with AWS Signature Version 4 through AWSSDK.Core's public
/// <see cref="AWSSigV4Signer"/> (never a hand-written SigV4): it copies the method, URI, the headers to sign and the
/// body into an <see cref="AWSSigningRequest"/> and applies every header the signer returns (Authorization,
/// X-Amz-Date, X-Amz-Content-SHA256 and, for session credentials, X-Amz-Security-Token).
/// </summary>
public static class SigV4RequestSigner
{
    public static async Task SignAsync(HttpRequestMessage request, byte[] body, AWSCredentials credentials,
        RegionEndpoint region, string service, DateTime? signedAt, CancellationToken ct)
    {
        var signing = new AWSSigningRequest
        {
            HttpMethod = request.Method,
            RequestUri = request.RequestUri,
            Content = body,
        };
        foreach (var header in request.Headers)
        {
            signing.Headers[header.Key] = string.Join(",", header.Value.Select(v => v.Trim()));
        }
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    signing.Headers[header.Key] = string.Join(",", header.Value.Select(v => v.Trim()));
                }
            }
        }
        var result = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = region,
            Service = service,
            SignedAt = signedAt,
        }, ct).ConfigureAwait(false);
        foreach (var (name, value) in result.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
