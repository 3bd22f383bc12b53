package dev.cairn.gpt;

/** The fields of one decoded, CRC-checked GPT header. */
public record GptHeader(
    long myLba,
    long alternateLba,
    long firstUsableLba,
    long lastUsableLba,
    Guid diskGuid,
    long entriesLba,
    int entryCount,
    int entrySize,
    int entriesCrc) {}
