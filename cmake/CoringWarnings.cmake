# coring_target_warnings(<target>): warning flags for coring's own targets only.
function(coring_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra $<$<BOOL:${CORING_WERROR}>:-Werror>)
endfunction()
