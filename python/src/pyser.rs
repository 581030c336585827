//! A serde serializer into Python objects: the canonical JSON shape (what `serde_json` writes,
//! and `json.loads` would read back) built directly as `dict`, `list`, `str`, `int`, `float`,
//! `bool` and `None`, without JSON text in between. Struct fields keep their order; map keys
//! become strings as serde_json writes them; non-finite floats become `None` (JSON `null`).

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::IntoPyObjectExt;
use serde::ser::{self, Serialize};

/// Why serialising failed (a Python error, or a type JSON cannot hold).
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Self(e.to_string())
    }
}

/// `value` as Python objects in its canonical JSON shape.
pub fn to_py<'py, T: Serialize + ?Sized>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    value
        .serialize(Ser(py))
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("kroute: cannot convert a result: {e}")))
}

#[derive(Clone, Copy)]
struct Ser<'py>(Python<'py>);

type Out<'py> = Result<Bound<'py, PyAny>, Error>;

fn obj<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> Out<'py> {
    v.into_bound_py_any(py).map_err(Into::into)
}

/// A sequence under construction.
struct Seq<'py>(Python<'py>, Vec<Bound<'py, PyAny>>);

/// A dict under construction; `key` holds a map key until its value arrives.
struct Map<'py> {
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
}

/// `{variant: [...]}` or `{variant: {...}}` under construction.
struct Variant<T> {
    name: &'static str,
    inner: T,
}

impl<'py> ser::Serializer for Ser<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Seq<'py>;
    type SerializeTuple = Seq<'py>;
    type SerializeTupleStruct = Seq<'py>;
    type SerializeTupleVariant = Variant<Seq<'py>>;
    type SerializeMap = Map<'py>;
    type SerializeStruct = Map<'py>;
    type SerializeStructVariant = Variant<Map<'py>>;

    fn serialize_bool(self, v: bool) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_i8(self, v: i8) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_i16(self, v: i16) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_i32(self, v: i32) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_i128(self, v: i128) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_u8(self, v: u8) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_u16(self, v: u16) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_u32(self, v: u32) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_u128(self, v: u128) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_f32(self, v: f32) -> Out<'py> {
        // serde_json writes an f32's shortest text, which reads back as this f64.
        self.serialize_f64(v.to_string().parse().unwrap_or(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Out<'py> {
        if v.is_finite() {
            obj(self.0, v)
        } else {
            self.serialize_unit()
        }
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        obj(self.0, v)
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        Ok(PyString::new(self.0, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        obj(self.0, PyList::new(self.0, v)?)
    }
    fn serialize_none(self) -> Out<'py> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Out<'py> {
        Ok(self.0.None().into_bound(self.0))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out<'py> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Out<'py> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Out<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Out<'py> {
        let d = PyDict::new(self.0);
        d.set_item(variant, value.serialize(self)?)?;
        Ok(d.into_any())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'py>, Error> {
        Ok(Seq(self.0, Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Seq<'py>>, Error> {
        Ok(Variant { name: variant, inner: self.serialize_seq(Some(len))? })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'py>, Error> {
        Ok(Map { dict: PyDict::new(self.0), key: None })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map<'py>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Map<'py>>, Error> {
        Ok(Variant { name: variant, inner: self.serialize_map(Some(len))? })
    }
}

impl<'py> Seq<'py> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.1.push(value.serialize(Ser(self.0))?);
        Ok(())
    }
    fn finish(self) -> Out<'py> {
        obj(self.0, PyList::new(self.0, self.1)?)
    }
}

/// The sequence traits of serde, which differ only in the element method's name.
macro_rules! seq_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<'py> ser::$trait for Seq<'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.push(value)
            }
            fn end(self) -> Out<'py> {
                self.finish()
            }
        }
    )*};
}

seq_impl!(SerializeSeq::serialize_element, SerializeTuple::serialize_element, SerializeTupleStruct::serialize_field);

std::thread_local! {
    /// Python strings of struct field names, by address: made (and hashed) once per thread.
    static FIELD_NAMES: std::cell::RefCell<HashMap<(usize, usize), Py<PyString>, foldhash::fast::FixedState>> =
        std::cell::RefCell::default();
}

/// The Python string of a field name.
fn field_name<'py>(py: Python<'py>, key: &'static str) -> Bound<'py, PyString> {
    let made = FIELD_NAMES.try_with(|names| {
        let mut names = names.try_borrow_mut().ok()?;
        let name =
            names.entry((key.as_ptr() as usize, key.len())).or_insert_with(|| PyString::intern(py, key).unbind());
        Some(name.bind(py).clone())
    });
    made.ok().flatten().unwrap_or_else(|| PyString::intern(py, key))
}

impl<'py> Map<'py> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let py = self.dict.py();
        self.dict.set_item(field_name(py, key), value.serialize(Ser(py))?)?;
        Ok(())
    }
}

impl<'py> ser::SerializeMap for Map<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let py = self.dict.py();
        let k = key.serialize(Ser(py))?;
        // JSON object keys are strings: serde_json writes numbers and booleans as text.
        let k = if k.is_instance_of::<PyString>() {
            k
        } else if let Ok(b) = k.extract::<bool>() {
            PyString::new(py, if b { "true" } else { "false" }).into_any()
        } else {
            k.str()?.into_any()
        };
        self.key = Some(k);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().ok_or_else(|| Error(String::from("a map value without a key")))?;
        self.dict.set_item(key, value.serialize(Ser(self.dict.py()))?)?;
        Ok(())
    }
    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}

impl<'py> ser::SerializeStruct for Map<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}

impl<T> Variant<T> {
    fn wrap<'py>(name: &'static str, inner: Bound<'py, PyAny>) -> Out<'py> {
        let d = PyDict::new(inner.py());
        d.set_item(name, inner)?;
        Ok(d.into_any())
    }
}

impl<'py> ser::SerializeTupleVariant for Variant<Seq<'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.push(value)
    }
    fn end(self) -> Out<'py> {
        Self::wrap(self.name, self.inner.finish()?)
    }
}

impl<'py> ser::SerializeStructVariant for Variant<Map<'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.inner.field(key, value)
    }
    fn end(self) -> Out<'py> {
        Self::wrap(self.name, self.inner.dict.into_any())
    }
}
