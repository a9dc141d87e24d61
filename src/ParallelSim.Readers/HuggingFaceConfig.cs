using System.Text.Json;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;

namespace ParallelSim.Readers;

/// <summary>
/// Reads a Hugging Face `config.json`: Llama, Mistral and Qwen2 (llama arch), GPT-2 (n_layer, n_embd,
/// n_head, n_positions) and GPT-NeoX (gpt arch; rotary positions are not counted as learned).
/// </summary>
internal static class HuggingFaceConfig
{
    public static bool Looks(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && (e.TryGetProperty("model_type", out _) || e.TryGetProperty("architectures", out _)
            || e.TryGetProperty("hidden_size", out _) || e.TryGetProperty("n_embd", out _));

    public static ModelSpec Read(JsonElement e, string where, string name)
    {
        string type = e.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var problems = new List<string>();
        int Get(params string[] keys)
        {
            foreach (var k in keys)
                if (e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i > 0) return i;
            problems.Add($"{where}: missing or invalid \"{keys[0]}\" (a positive whole number)");
            return 1;
        }
        int? Opt(string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
        bool tied = e.TryGetProperty("tie_word_embeddings", out var tw) && (tw.ValueKind == JsonValueKind.True || tw.ValueKind == JsonValueKind.False)
            ? tw.GetBoolean() : type is "gpt2" or "";

        if (type == "") type = e.TryGetProperty("n_embd", out _) ? "gpt2" : "llama";
        ModelSpec spec;
        switch (type)
        {
            case "llama": case "mistral": case "qwen2": case "qwen3":
            {
                int heads = Get("num_attention_heads");
                spec = new ModelSpec(name, Architecture.Llama, Get("num_hidden_layers"), Get("hidden_size"), heads,
                    Opt("num_key_value_heads") ?? heads, Get("intermediate_size"), Get("vocab_size"),
                    Opt("max_position_embeddings") is int mp ? Math.Min(mp, 8192) : 4096, tied, new Source($"Hugging Face config.json ({type})", where));
                break;
            }
            case "gpt2":
            {
                int h = Get("n_embd");
                spec = new ModelSpec(name, Architecture.Gpt, Get("n_layer"), h, Get("n_head"), Get("n_head"),
                    Opt("n_inner") ?? 4 * h, Get("vocab_size"), Get("n_positions", "n_ctx"), true, new Source("Hugging Face config.json (gpt2)", where));
                break;
            }
            case "gpt_neox":
            {
                int heads = Get("num_attention_heads");
                spec = new ModelSpec(name, Architecture.Gpt, Get("num_hidden_layers"), Get("hidden_size"), heads, heads,
                    Get("intermediate_size"), Get("vocab_size"), Get("max_position_embeddings"), tied, new Source("Hugging Face config.json (gpt_neox)", where));
                break;
            }
            default:
                throw new UserInputException($"{where}: Hugging Face model_type \"{type}\" is not supported (supported: llama, mistral, qwen2, qwen3, gpt2, gpt_neox)");
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        return spec;
    }
}
