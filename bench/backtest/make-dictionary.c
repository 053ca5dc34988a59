/* The archive's zstd dictionary v2 (Sources/PharosEngine/State/ArchiveDictionary.swift):
   v1's content with zstd's entropy tables, gathered from sample texts at level 6, under the
   id 0x50480002. Usage: make-dictionary V1-CONTENT-FILE SAMPLE... > v2.bin (the dictionary's
   bytes). `make-dictionary.sh` runs it as the committed dictionary was made. */
#include <zdict.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char *slurp(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(1); }
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *bytes = malloc(length > 0 ? (size_t)length : 1);
    *size = fread(bytes, 1, (size_t)length, file);
    fclose(file);
    return bytes;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: make-dictionary V1-CONTENT-FILE SAMPLE...\n"); return 2; }
    size_t contentSize;
    unsigned char *content = slurp(argv[1], &contentSize);
    unsigned count = (unsigned)(argc - 2);
    size_t *sizes = malloc(count * sizeof *sizes), total = 0;
    unsigned char **texts = malloc(count * sizeof *texts);
    for (unsigned i = 0; i < count; i++) { texts[i] = slurp(argv[i + 2], &sizes[i]); total += sizes[i]; }
    unsigned char *samples = malloc(total ? total : 1), *at = samples;
    for (unsigned i = 0; i < count; i++) { for (size_t j = 0; j < sizes[i]; j++) *at++ = texts[i][j]; }
    ZDICT_params_t params = { .compressionLevel = 6, .notificationLevel = 0, .dictID = 0x50480002 };
    size_t capacity = contentSize + 65536;
    unsigned char *dictionary = malloc(capacity);
    size_t made = ZDICT_finalizeDictionary(dictionary, capacity, content, contentSize, samples, sizes, count, params);
    if (ZDICT_isError(made)) { fprintf(stderr, "zstd: %s\n", ZDICT_getErrorName(made)); return 1; }
    fwrite(dictionary, 1, made, stdout);
    return 0;
}
