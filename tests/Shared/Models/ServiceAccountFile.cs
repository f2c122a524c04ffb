using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ElectionMatch.Tests.Models;

/// <summary>A Vertex AI service-account JSON with a freshly generated RSA key, its token endpoint on the fake server.</summary>
internal sealed class ServiceAccountFile : IDisposable
{
    public ServiceAccountFile(string tokenUri)
    {
        // 1,024 bits: a key is registered with Secrets for the life of the test process, and each 2,048-bit one held about
        // 370 KiB there; with a fresh key for each of some 300 tests the heap passed what ManagedMemoryTests need below them.
        using var rsa = RSA.Create(1024);
        PrivateKey = rsa.ExportPkcs8PrivateKeyPem();
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "em-sa-" + Guid.NewGuid().ToString("N")[..12] + ".json");
        File.WriteAllText(Path, new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "test-project",
            ["private_key_id"] = PrivateKeyId,
            ["private_key"] = PrivateKey,
            ["client_email"] = "judge@test-project.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = tokenUri,
        }.ToJsonString());
    }

    public const string PrivateKeyId = "PLANTEDKEYID0123456789abcdef";

    public string Path { get; }

    public string PrivateKey { get; }

    /// <summary>A line from the middle of the key's base64 body: what a partial leak would show.</summary>
    public string KeyBodyLine => PrivateKey.Split('\n')[5];

    public void Dispose() => File.Delete(Path);
}
