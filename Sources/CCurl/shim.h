#ifndef PHAROS_CCURL_SHIM_H
#define PHAROS_CCURL_SHIM_H

#include <curl/curl.h>
#include <sys/types.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
   one typed wrapper per argument type. */

static inline CURLcode pharos_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pharos_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pharos_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pharos_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode pharos_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*pharos_data_callback)(char *buffer, size_t size, size_t count, void *context);
static inline CURLcode pharos_setopt_data_callback(CURL *handle, CURLoption option, pharos_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
static inline CURLcode pharos_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode pharos_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode pharos_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode pharos_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
/* CURLMsg keeps the result in a union. */
static inline CURLcode pharos_message_result(CURLMsg *message) {
    return message->data.result;
}

#endif
