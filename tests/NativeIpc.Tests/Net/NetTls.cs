using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NativeIpc.Tests.Net;

internal static class NetTls
{
    /// <summary>A throwaway self-signed server certificate for localhost.</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("localhost");
        request.CertificateExtensions.Add(sans.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
