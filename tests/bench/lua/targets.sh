# tests/bench/lua/targets.sh: the four targets both Lua benchmarks run (run.sh for CPU time,
# instructions.sh under callgrind), sourced after lib.sh and bench_setup: weft-proxy without
# filters and with the `lua` filter running weft_bench.lua; nginx without Lua and with
# lua-nginx-module running nginx_bench.lua (the same logic). Needs HERE, NGINX_MODULES and
# UPSTREAM_PORT (start_upstream) set.

LUA_TARGETS=(weft weft+lua nginx nginx+lua)
NGINX_BIN=$(find_tool nginx || true)
NGINX_LUA=yes
[[ -f $NGINX_MODULES/ngx_http_lua_module.so && -f $NGINX_MODULES/ndk_http_module.so ]] ||
  NGINX_LUA=""
[[ -n $NGINX_BIN ]] || note "bench-lua: nginx not installed; its rows stay empty"
[[ -z $NGINX_BIN || -n $NGINX_LUA ]] ||
  note "bench-lua: no lua-nginx-module in $NGINX_MODULES; the nginx+lua row stays empty"

# target_available TARGET: whether this machine can run TARGET.
target_available() {
  case $1 in
    weft*) true ;;
    nginx) [[ -n $NGINX_BIN ]] ;;
    nginx+lua) [[ -n $NGINX_BIN && -n $NGINX_LUA ]] ;;
  esac
}

# target_setup TARGET PORT [single]: writes TARGET's config for PORT under $WORK and sets
# TARGET_CMD (the command that serves it), TARGET_LOG (its log) and TARGET_LOG_OK (a regex every
# line of that log matches when all is well). `single`: nginx runs as one process, no master, so
# that the process a tool follows is the one serving.
target_setup() {
  local target=$1 port=$2 filters="[]" modules="# (no modules)" lua="# (no Lua)"
  case $target in
    weft*)
      [[ $target == weft ]] ||
        filters="[ { name: lua, builtin: lua, config: { path: $HERE/weft_bench.lua } } ]"
      fill "$HERE/weft.yaml.in" "$WORK/$target.yaml" PORT="$port" FILTERS="$filters" \
        UPSTREAM_PORT="$UPSTREAM_PORT"
      TARGET_CMD=("$WEFT_BIN" -c "$WORK/$target.yaml" --workers 1)
      TARGET_LOG=$WORK/$target.out
      TARGET_LOG_OK='^weft-proxy: (listener .* on |admin on |[0-9]+ workers$|ready$)'
      ;;
    nginx*)
      if [[ $target == nginx+lua ]]; then
        modules="load_module $NGINX_MODULES/ndk_http_module.so; load_module $NGINX_MODULES/ngx_http_lua_module.so;"
        lua="rewrite_by_lua_file $HERE/nginx_bench.lua;"
      fi
      mkdir -p "$WORK/$target"
      fill "$HERE/nginx.conf.in" "$WORK/$target/nginx.conf" PORT="$port" DIR="$WORK/$target" \
        UPSTREAM_PORT="$UPSTREAM_PORT" MODULES="$modules" LUA="$lua"
      [[ ${3:-} != single ]] ||
        sed -i 's/^master_process on;/master_process off;/' "$WORK/$target/nginx.conf"
      TARGET_CMD=("$NGINX_BIN" -p "$WORK/$target" -e "$WORK/$target/nginx-error.log"
        -c "$WORK/$target/nginx.conf")
      TARGET_LOG=$WORK/$target/nginx-error.log
      TARGET_LOG_OK='^$'
      ;;
  esac
}
