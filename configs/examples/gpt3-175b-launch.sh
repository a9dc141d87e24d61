#!/usr/bin/env bash
# GPT-3 175B (Brown et al. 2020, arXiv:2005.14165 Table 2.1: 96 layers, d_model 12288, 96 heads, context 2048)
# with the parallel layout of Narayanan et al. 2021 (arXiv:2104.04473 Table 1 / section 5.1: TP 8, PP 16, batch 1536)
# on 128 nodes of 8 A100s. Read by `parallelsim megatron --file configs/examples/gpt3-175b-launch.sh`.
GPUS_PER_NODE=8
NNODES=128

torchrun --nnodes $NNODES --nproc-per-node $GPUS_PER_NODE \
    --node-rank ${NODE_RANK} --master-addr ${MASTER_ADDR} --master-port 6000 \
    pretrain_gpt.py \
    --num-layers 96 \
    --hidden-size 12288 \
    --num-attention-heads 96 \
    --seq-length 2048 \
    --max-position-embeddings 2048 \
    --tokenizer-type GPT2BPETokenizer \
    --vocab-file gpt2-vocab.json \
    --merge-file gpt2-merges.txt \
    --micro-batch-size 1 \
    --global-batch-size 1536 \
    --tensor-model-parallel-size 8 \
    --pipeline-model-parallel-size 16 \
    --sequence-parallel \
    --recompute-granularity selective \
    --use-distributed-optimizer \
    --use-flash-attn \
    --overlap-grad-reduce \
    --attention-dropout 0 \
    --hidden-dropout 0 \
    --bf16 \
    --init-method-std 0.006 \
    --lr 6.0e-5 \
    --min-lr 6.0e-6 \
    --lr-decay-style cosine \
    --weight-decay 0.1 \
    --clip-grad 1.0 \
    --train-samples 146484375 \
    --data-path my-gpt3_00_text_document \
    --log-interval 10
