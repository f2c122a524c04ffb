using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Tests.Models;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Providers;

/// <summary>
/// Azure OpenAI deployment URLs (<c>/openai/deployments/{name}/…?api-version=</c>, key in <c>api-key</c>) through the
/// OpenAI client, against the fake server speaking that wire format: it refuses a request without either.
/// </summary>
[Collection(ProviderEnvironment.Name)]
public sealed class AzureOpenAiTests : OpenAiServerTests
{
    [Fact]
    public async Task The_judge_calls_the_deployment_with_its_api_version_and_the_key_in_the_api_key_header_also_when_retried()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        // The portal's target URI, pasted whole.
        var endpoint = new FakeModelServerEndpoint(Server.BaseUrl + "/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=2025-01-01-preview");
        var match = JudgeFixture.Match("openai", JudgeFixture.Connection(endpoint));
        Server.Script(FakeReply.Status(429, new Dictionary<string, string> { ["retry-after-ms"] = "5" }));
        using var providers = JudgeFixture.Providers(match, warehouse);

        var answers = await providers.Judge!.JudgeAsync(JudgeFixture.Request("r1", "John Smith", "Jane Roe"), default);

        Assert.Equal([2, 0], answers.Select(a => a.CandidateNumber));
        Assert.Equal(2, Server.ModelHits);
        foreach (var request in Server.Requests)
        {
            Assert.Equal("/openai/deployments/gpt-4o-mini-prod/chat/completions", request.Path);
            Assert.Equal("?api-version=2025-01-01-preview", request.Query);
            Assert.Equal(ProviderEnvironment.PlantedOpenAiKey, request.ApiKey);
            Assert.Equal("", request.Authorization);
        }

        Assert.Equal(2, providers.JudgeUsage!.Attempts);
    }

    [Fact]
    public void Embeddings_call_the_deployment_with_the_default_api_version_when_the_url_names_none()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("create table texts as select * from (values ('name: maria lopez'), ('name: john smith')) as t(embedding_text)");
        var match = JudgeFixture.Match("offline", JudgeFixture.Connection(new FakeModelServerEndpoint(Server.BaseUrl + "/openai/deployments/embeddings-prod")), embeddingProvider: "openai");
        using var providers = JudgeFixture.Providers(match, warehouse);

        var result = new EmbeddingCache(warehouse).Ensure(providers.Embeddings!, "select embedding_text from texts", 64, default);

        Assert.Equal(2L, result.Generated);
        var request = Assert.Single(Server.Requests);
        Assert.Equal("/openai/deployments/embeddings-prod/embeddings", request.Path);
        Assert.Equal("?api-version=2024-10-21", request.Query);
        Assert.Equal(ProviderEnvironment.PlantedOpenAiKey, request.ApiKey);
        Assert.Equal(2L, warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public async Task The_fake_refuses_a_deployment_request_without_api_version_or_api_key_as_azure_does()
    {
        // The guard that makes the two tests above mean something: a plain OpenAI request to a deployment path fails.
        using var client = new HttpClient();
        var url = Server.BaseUrl + "/openai/deployments/gpt-4o-mini-prod/chat/completions";
        using var noVersion = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{}") };
        noVersion.Headers.Add("api-key", "k");
        using var bearer = new HttpRequestMessage(HttpMethod.Post, url + "?api-version=2024-10-21") { Content = new StringContent("{}") };
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "k");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.SendAsync(noVersion)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.SendAsync(bearer)).StatusCode);
    }
}
