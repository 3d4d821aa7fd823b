/*
 * A Worker for pages opened from file://.
 *
 * Browsers refuse to start a Web Worker from a file:// page, and the site's
 * search runs in one. On file:// only, this script replaces `Worker` with a
 * stand-in that runs the worker's script in a hidden same-origin iframe. The
 * script sees what a worker sees: global `postMessage`, `addEventListener`,
 * `importScripts` (asynchronous here: it returns a Promise) and `self`.
 * Messages are structured clones, delivered asynchronously, as with a worker.
 * Served over http(s) nothing is replaced.
 */
(function () {
  "use strict"
  if (location.protocol !== "file:")
    return

  class FrameWorker extends EventTarget {
    constructor(url) {
      super()
      // onmessage and onerror, as a Worker has them
      this.onmessage = null
      this.onerror = null
      this.addEventListener("message", event => this.onmessage && this.onmessage(event))
      this.addEventListener("error", event => this.onerror && this.onerror(event))
      this.pending = []
      this.ready = false
      this.frame = document.createElement("iframe")
      this.frame.hidden = true
      this.frame.setAttribute("aria-hidden", "true")
      ;(document.body || document.documentElement).appendChild(this.frame)

      const scope = this.frame.contentWindow
      const doc = this.frame.contentDocument
      const load = src => new Promise((resolve, reject) => {
        const script = doc.createElement("script")
        script.src = new URL(src, location.href).href
        script.charset = "utf-8"  // as a worker's scripts are read, whatever the page's encoding
        script.onload = () => resolve()
        script.onerror = () => reject(new Error(`cannot load ${src}`))
        doc.documentElement.appendChild(script)
      })

      // What the worker's script calls as globals.
      scope.postMessage = data => {
        const copy = structuredClone(data)
        setTimeout(() => this.dispatchEvent(new MessageEvent("message", { data: copy })))
      }
      scope.importScripts = async (...urls) => {
        for (const src of urls)
          await load(src)
      }

      load(url).then(
        () => {
          this.ready = true
          for (const data of this.pending.splice(0))
            this.deliver(data)
        },
        error => this.dispatchEvent(new ErrorEvent("error", { message: error.message }))
      )
    }

    deliver(data) {
      const scope = this.frame.contentWindow
      const copy = structuredClone(data)
      setTimeout(() => scope.dispatchEvent(new scope.MessageEvent("message", { data: copy })))
    }

    postMessage(data) {
      if (this.ready)
        this.deliver(data)
      else
        this.pending.push(data)
    }

    terminate() {
      this.frame.remove()
    }
  }

  window.Worker = FrameWorker
})()
