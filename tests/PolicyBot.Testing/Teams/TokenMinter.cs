using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyBot.Testing.Teams;

/// <summary>An RSA signing key the fake issuer publishes, with its Bot Framework endorsements (null = no property).</summary>
/// <remarks>RSA key generation is slow on a busy machine, so key material is generated once per process per
/// <c>material</c> name (default: the kid) and shared between tests; each test still has its own issuer.</remarks>
public sealed class FakeSigningKey(string kid, string[]? endorsements, string? material = null) : IDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<RSA>> Pool = new();

    public string Kid { get; } = kid;

    public RSA Rsa { get; } = Pool.GetOrAdd(material ?? kid, _ => new Lazy<RSA>(() => RSA.Create(2048))).Value;

    public string[]? Endorsements { get; set; } = endorsements;

    public JsonObject ToJwk()
    {
        var p = Rsa.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = Kid,
            ["n"] = Base64Url(p.Modulus!),
            ["e"] = Base64Url(p.Exponent!),
        };
        if (Endorsements is not null)
        {
            jwk["endorsements"] = new JsonArray(Endorsements.Select(e => (JsonNode?)e).ToArray());
        }

        return jwk;
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        // Pooled key material lives for the test process.
    }
}

/// <summary>Mints real compact JWS tokens with a knob for every header field and claim.</summary>
public sealed class TokenMinter(TimeProvider clock)
{
    public sealed class Spec
    {
        public string Alg { get; set; } = "RS256";

        public string? Kid { get; set; }

        public FakeSigningKey? SignWith { get; set; }

        public byte[]? HmacSecret { get; set; }

        public JsonObject Claims { get; } = new();

        /// <summary>Applied to the claims after signing (the signature no longer matches).</summary>
        public Action<JsonObject>? TamperAfterSigning { get; set; }
    }

    /// <summary>A valid Connector token for <paramref name="appId"/> and <paramref name="serviceUrl"/>, signed by <paramref name="key"/>.</summary>
    public Spec Connector(FakeSigningKey key, string appId, string serviceUrl)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var spec = new Spec { Kid = key.Kid, SignWith = key };
        spec.Claims["iss"] = "https://api.botframework.com";
        spec.Claims["aud"] = appId;
        spec.Claims["nbf"] = now - 60;
        spec.Claims["iat"] = now - 60;
        spec.Claims["exp"] = now + 3600;
        spec.Claims["serviceurl"] = serviceUrl;
        return spec;
    }

    public static string Mint(Spec spec)
    {
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = spec.Alg };
        if (spec.Kid is not null)
        {
            header["kid"] = spec.Kid;
            header["x5t"] = spec.Kid;
        }

        var signingInput = FakeSigningKey.Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                           FakeSigningKey.Base64Url(Encoding.UTF8.GetBytes(spec.Claims.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = spec.Alg switch
        {
            "none" => [],
            "HS256" => HMACSHA256.HashData(spec.HmacSecret!, data),
            _ => spec.SignWith!.Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        };
        var token = signingInput + "." + FakeSigningKey.Base64Url(signature);
        if (spec.TamperAfterSigning is { } tamper)
        {
            var parts = token.Split('.');
            var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1]))))!.AsObject();
            tamper(claims);
            parts[1] = FakeSigningKey.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
            token = string.Join('.', parts);
        }

        return token;
    }

    private static string Pad(string s) => s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
}
