namespace ParallelSim.Readers;

/// <summary>How a known launch-line flag is used: in the simulation, or known but without effect on step time and memory.</summary>
public enum FlagUse { Simulated, NotSimulated }

/// <summary>A flag ParallelSim knows: whether it takes a value, what it means, and how it enters the simulation.</summary>
public sealed record KnownFlag(bool TakesValue, FlagUse Use, string Meaning, string Effect);

/// <summary>
/// The torchrun and Megatron-LM (megatron/training/arguments.py) flags ParallelSim reads, each with its meaning
/// and its role in the simulation. Anything else is reported as unknown.
/// </summary>
public static class MegatronFlags
{
    private static KnownFlag S(string meaning, string effect) => new(true, FlagUse.Simulated, meaning, effect);
    private static KnownFlag B(string meaning, string effect) => new(false, FlagUse.Simulated, meaning, effect);
    private static KnownFlag Info(string meaning, string why) => new(true, FlagUse.NotSimulated, meaning, "not simulated: " + why);
    private static KnownFlag InfoB(string meaning, string why) => new(false, FlagUse.NotSimulated, meaning, "not simulated: " + why);

    public static readonly IReadOnlyDictionary<string, KnownFlag> Known = new Dictionary<string, KnownFlag>(StringComparer.Ordinal)
    {
        // torchrun
        ["--nnodes"] = S("torchrun: number of nodes", "world size = nnodes × nproc-per-node"),
        ["--nproc-per-node"] = S("torchrun: processes (GPUs) per node", "world size = nnodes × nproc-per-node; GPUs per node"),
        ["--node-rank"] = Info("torchrun: this node's rank", "same for every node"),
        ["--master-addr"] = Info("torchrun: rendezvous host", "networking setup"),
        ["--master-port"] = Info("torchrun: rendezvous port", "networking setup"),
        ["--rdzv-backend"] = Info("torchrun: rendezvous backend", "networking setup"),
        ["--rdzv-endpoint"] = Info("torchrun: rendezvous endpoint", "networking setup"),
        ["--rdzv-id"] = Info("torchrun: rendezvous id", "networking setup"),
        // model shape
        ["--num-layers"] = S("transformer layers L", "model layers"),
        ["--hidden-size"] = S("hidden size h", "model hidden size"),
        ["--num-attention-heads"] = S("attention heads a", "model heads (must divide by tp)"),
        ["--ffn-hidden-size"] = S("MLP hidden size f", "model FFN width [default 4h; 8h/3 rounded down to 64 with --swiglu]"),
        ["--seq-length"] = S("sequence length s", "tokens per sequence"),
        ["--max-position-embeddings"] = Info("size of the position table", "≥ seq-length; only the embedding's size (GPT: s×h, counted from --seq-length)"),
        ["--vocab-size"] = S("vocabulary size V", "vocabulary, padded as Megatron pads it"),
        ["--tokenizer-type"] = S("tokenizer", "GPT2BPETokenizer gives V = 50257 (padded to a multiple of 128·tp)"),
        ["--vocab-file"] = Info("tokenizer vocabulary file", "the size comes from --tokenizer-type or --vocab-size"),
        ["--merge-file"] = Info("BPE merges file", "tokenizer data"),
        ["--make-vocab-size-divisible-by"] = S("vocabulary padding unit", "V padded to a multiple of this × tp [default 128]"),
        ["--swiglu"] = B("SwiGLU MLP (gate, up, down)", "llama-family layer: 3 FFN matrices, no biases"),
        ["--group-query-attention"] = B("grouped-query attention", "K and V heads = --num-query-groups"),
        ["--num-query-groups"] = S("K/V head groups g", "kv-heads (smaller K, V projections, activations and CP traffic)"),
        ["--untie-embeddings-and-output-weights"] = B("separate output layer", "adds V·h parameters (untied)"),
        ["--normalization"] = S("LayerNorm or RMSNorm", "RMSNorm: one scale per norm (llama family)"),
        ["--position-embedding-type"] = S("learned_absolute or rope", "rope: no position table (llama family)"),
        ["--disable-bias-linear"] = InfoB("no biases in linear layers", "biases are < 0.1% of parameters; the family decides them"),
        ["--init-method-std"] = Info("std of the weight init", "no effect on time or memory (see `explain initial-loss --init-std`)"),
        ["--attention-dropout"] = S("dropout on attention probabilities [default 0.1]", "dropout masks stored unless both dropouts are 0"),
        ["--hidden-dropout"] = S("dropout on hidden states [default 0.1]", "dropout masks stored unless both dropouts are 0"),
        // batch and parallelism
        ["--micro-batch-size"] = S("sequences per micro-batch b", "micro-batch"),
        ["--global-batch-size"] = S("sequences per step B", "global batch; m = B/(b·dp) micro-batches"),
        ["--tensor-model-parallel-size"] = S("tensor-parallel size t", "tp"),
        ["--pipeline-model-parallel-size"] = S("pipeline-parallel size p", "pp"),
        ["--context-parallel-size"] = S("context-parallel size", "cp (sequence split across GPUs, K/V ring)"),
        ["--expert-model-parallel-size"] = S("expert-parallel size", "dense models only: must be 1"),
        ["--num-layers-per-virtual-pipeline-stage"] = S("layers per model chunk (interleaved 1F1B)", "vpp = L/(p·this); interleaved schedule"),
        ["--num-virtual-stages-per-pipeline-rank"] = S("model chunks per pipeline rank (interleaved 1F1B)", "vpp; interleaved schedule"),
        // uneven pipeline (megatron/core/transformer/transformer_block.py get_num_layers_to_build)
        ["--decoder-first-pipeline-num-layers"] = S("transformer layers on the first pipeline stage (uneven pipeline)",
            "first-stage layers; the rest split evenly over the middle stages (with chunks: 1/v of it per chunk)"),
        ["--decoder-last-pipeline-num-layers"] = S("transformer layers on the last pipeline stage (uneven pipeline)",
            "last-stage layers; the rest split evenly over the middle stages (with chunks: 1/v of it per chunk)"),
        ["--account-for-embedding-in-pipeline-split"] = B("count the embedding as one layer when splitting layers over stages",
            "(L + 1)/p per stage; the very first (virtual) stage holds one layer fewer"),
        ["--account-for-loss-in-pipeline-split"] = B("count the loss as one layer when splitting layers over stages",
            "(L + 1)/p per stage; the very last (virtual) stage holds one layer fewer"),
        ["--sequence-parallel"] = B("sequence parallelism (norms, dropout split over tp)", "SP on: replicated activations ÷ t, RS+AG instead of all-reduce"),
        ["--use-distributed-optimizer"] = B("shard optimizer states over DP (ZeRO-1)", "ZeRO 1: 6 + 12/dp bytes per parameter"),
        ["--overlap-grad-reduce"] = B("overlap the DP gradient reduction with backward", "DP reduction hidden behind the last backward"),
        ["--overlap-param-gather"] = InfoB("overlap the distributed optimizer's all-gather with forward", "the all-gather is counted, not overlapped"),
        // recompute, precision, kernels
        ["--recompute-granularity"] = S("activation recomputation: full or selective", "recompute mode"),
        ["--recompute-method"] = S("uniform or block (which layers full recompute covers)", "with --recompute-num-layers < layers per stage only part is recomputed: simulated as all layers"),
        ["--recompute-num-layers"] = S("layers per recompute unit", "simulated as all layers recomputed"),
        ["--recompute-activations"] = B("selective recomputation (older flag)", "recompute selective"),
        ["--bf16"] = B("bf16 mixed precision, fp32 main grads and params", "megatron precision policy (18 B/param, or 6 + 12/dp)"),
        ["--fp16"] = B("fp16 mixed precision with loss scaling", "same bytes as bf16: megatron policy"),
        ["--use-flash-attn"] = B("FlashAttention kernel", "no s² attention activations; fused attention time"),
        ["--transformer-impl"] = Info("transformer_engine or local", "kernel choice"),
        ["--use-mcore-models"] = InfoB("Megatron-Core model classes", "same math"),
        // optimisation and data: no effect on a step's time or memory
        ["--lr"] = Info("learning rate", "optimisation"), ["--min-lr"] = Info("final learning rate", "optimisation"),
        ["--lr-decay-style"] = Info("learning-rate schedule", "optimisation"), ["--lr-warmup-fraction"] = Info("warm-up share", "optimisation"),
        ["--lr-warmup-iters"] = Info("warm-up steps", "optimisation"), ["--lr-decay-iters"] = Info("decay steps", "optimisation"),
        ["--lr-decay-samples"] = Info("decay samples", "optimisation"), ["--lr-warmup-samples"] = Info("warm-up samples", "optimisation"),
        ["--weight-decay"] = Info("AdamW weight decay", "optimisation"), ["--clip-grad"] = Info("gradient clipping norm", "optimisation"),
        ["--adam-beta1"] = Info("Adam β1", "optimisation"), ["--adam-beta2"] = Info("Adam β2", "optimisation"), ["--adam-eps"] = Info("Adam ε", "optimisation"),
        ["--train-iters"] = Info("training steps", "run length; `explain train-time` turns tokens into days"),
        ["--train-samples"] = Info("training sequences", "run length; `explain train-time` turns tokens into days"),
        ["--rampup-batch-size"] = Info("batch-size ramp-up", "the simulation uses the final --global-batch-size"),
        ["--seed"] = Info("random seed", "no effect"),
        ["--data-path"] = Info("training data", "no effect"), ["--split"] = Info("train/valid/test split", "no effect"),
        ["--data-cache-path"] = Info("index cache folder", "no effect"), ["--num-workers"] = Info("data-loader workers", "no effect"),
        ["--save"] = Info("checkpoint folder", "no effect"), ["--load"] = Info("checkpoint to load", "no effect"),
        ["--save-interval"] = Info("checkpoint every N steps", "checkpoint time not simulated"),
        ["--log-interval"] = Info("log every N steps", "no effect"), ["--eval-interval"] = Info("evaluate every N steps", "evaluation not simulated"),
        ["--eval-iters"] = Info("evaluation steps", "evaluation not simulated"), ["--tensorboard-dir"] = Info("TensorBoard folder", "no effect"),
        ["--wandb-project"] = Info("Weights & Biases project", "no effect"), ["--distributed-backend"] = Info("nccl or gloo", "NCCL assumed"),
    };

    public static bool TakesValue(string flag) => !Known.TryGetValue(flag, out var k) || k.TakesValue;
}
