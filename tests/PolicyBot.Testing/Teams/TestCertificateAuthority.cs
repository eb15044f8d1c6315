using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyBot.Testing.Teams;

/// <summary>
/// A certificate authority made for this test run and a 127.0.0.1 server certificate it issued: the fake Bot
/// Framework serves HTTPS with it (MSAL refuses plain-HTTP authorities, IdentityModel requires HTTPS metadata), and
/// the bot's HTTP clients trust this CA alone — the machine's trust store is not touched.
/// </summary>
public static class TestCertificateAuthority
{
    private static readonly Lazy<(X509Certificate2 Root, X509Certificate2 Server)> Pair = new(Create);

    public static X509Certificate2 Root => Pair.Value.Root;

    /// <summary>The server certificate (with its private key) for 127.0.0.1.</summary>
    public static X509Certificate2 Server => Pair.Value.Server;

    /// <summary>A handler that trusts exactly <see cref="Root"/> for server certificates.</summary>
    public static SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
    };

    public static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false; // no certificate, or the name does not match
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Root);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        return custom.Build(presented);
    }

    private static (X509Certificate2, X509Certificate2) Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=PolicyBot test CA " + Guid.NewGuid().ToString("N")[..8], rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = serverRequest.Create(root, now.AddMinutes(-5), now.AddDays(1), serial);
        using var withKey = issued.CopyWithPrivateKey(serverKey);

        // Re-imported from PKCS#12 so the private key is usable by the TLS stack on every platform.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var publicRoot = X509CertificateLoader.LoadCertificate(root.Export(X509ContentType.Cert));
        return (publicRoot, server);
    }
}
